import { configKeyRenderer, type KeyRenderer } from "@eks-upgrade/engine";
import { NAMESPACE } from "../infra/config";

/**
 * A spec key as the CLI user gave it: the flag (same names as the stack config's keys, in
 * --kebab-case), or with --stack the key in Pulumi.<stack>.yaml. `value` is the value a remedy
 * asks for, when it names one.
 */
export function flagKey(path: string, value?: string): string {
  const [head, name, leaf] = path.split(".");
  const v = (placeholder: string) => value ?? placeholder;
  switch (head) {
    case "clusterVersion":
      return value === undefined ? "--cluster-version" : `--cluster-version ${value}`;
    case "clusterName":
      return "--cluster";
    case "only":
      return "--only";
    case "region":
      return "--region";
    case "endpoints":
      return "--endpoint";
    case "addons":
      return `--addons ${name ?? "<name>"}=${v("<version>")}`;
    case "nodeGroups":
      if (leaf === "force") return `--force ${name}`;
      if (leaf === "drainChecks") return `--drain-checks ${name}=${v("block|warn")}`;
      if (leaf === "maxUnavailable" || leaf === "maxUnavailablePercentage" || leaf === "updateStrategy")
        return `${NAMESPACE}:${path} (stack file, --stack)`;
      if (leaf === "canary") return `--canary ${name}`;
      if (leaf === "launchTemplateVersion") return `--launch-template-version ${name}=${v("<version>")}`;
      return `--ami-release-version ${name ?? "<name>"}=${v("<release>")}`;
    case "rollback":
      if (name === "to") return "--to";
      if (name === "acknowledge") return "--acknowledge <insight name>";
      if (name === "timeoutMinutes") return "--timeout-minutes";
      return "--concurrency";
    case "upgrade":
      if (name === "concurrency") return value === undefined ? "--concurrency" : `--concurrency ${value}`;
      if (name === "bakeHours") return value === undefined ? "--bake-hours" : `--bake-hours ${value}`;
      if (name === "kubernetesChecks") return "--no-kubernetes-checks";
      if (name === "healthGate") return `--health-gate ${v("pause|warn|off")}`;
      if (name === "insights")
        return value === undefined ? "--acknowledge <insight name>" : `--insights ${value}`;
      // No flag for deadlines and polling: they live in a stack file.
      return `${NAMESPACE}:${path} (stack file, --stack)`;
    default:
      return path;
  }
}

/** Flags without --stack; the stack file's keys with it. */
export function keysFor(stack: string | undefined): KeyRenderer {
  return stack ? configKeyRenderer(NAMESPACE, stack) : flagKey;
}
