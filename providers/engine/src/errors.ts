import { key, type KeyRenderer, plainKey, renderKeys } from "./keys";
import { CHECKS, type Finding } from "./checks";
import type { Step } from "./model";
import { describeUnhealthy, type UnhealthyWorkload } from "./kubernetes/workload-health";
import { describePause, type Pause } from "./pause";

/** What to do about a failed update, by EKS error code (or our own code). */
const REMEDIES: Record<string, (step: Step) => string> = {
  PodEvictionFailure: (s) =>
    `A PodDisruptionBudget (or a pod no controller recreates) blocked the drain of node group ${s.target}. ` +
    `Fix the PodDisruptionBudget, or replace the nodes anyway with ${key(`nodeGroups.${s.target}.force`, true)}; then run again.`,
  NodeCreationFailure: (s) =>
    `New nodes of node group ${s.target} did not join the cluster: check EC2 capacity and quotas for its instance types, ` +
    "free IP addresses in its subnets, and its node IAM role; then run again.",
  InsufficientFreeAddresses: () =>
    "The subnets have too few free IP addresses: free some or add subnets, then run again.",
  AccessDenied: () =>
    "EKS was denied an action on your behalf: check the cluster and node IAM roles, then run again.",
  ConfigurationConflict: (s) =>
    `Add-on ${s.target} has fields changed on the cluster: set ${key(`addons.${s.target}.resolveConflicts`)} to OVERWRITE ` +
    "(take EKS's values) or PRESERVE (keep yours), then run again.",
  ResourceInUseException: () =>
    "Another update is running on this target: wait for it to finish, then run again.",
  NODES_NOT_AT_TARGET: (s) =>
    `Look at the named nodes (kubectl describe node): a node that never turned Ready, or still runs the old kubelet, ` +
    `points at its AMI or bootstrap. Replace it (kubectl drain, then terminate the instance) and run again to check node group ${s.target} once more.`,
  PODS_PENDING: () =>
    "The evicted pods' replacements found no node (kubectl describe pod: resources, taints, affinity, volumes in another zone). " +
    "Give them room (a larger node group, or relaxed constraints); the upgrade itself is done.",
  ENDPOINT_UNREACHABLE: () =>
    "The update keeps running in EKS. Once EKS can be reached again (network, VPN, proxy; for the emulator: npm run emulator), run again to await it: nothing is issued twice.",
  DEADLINE_EXCEEDED: (s) =>
    `The update goes on in EKS. Run again to resume waiting for it, or raise ${key(
      `upgrade.deadlines.${s.kind === "controlPlane" ? "controlPlane" : s.kind === "addon" ? "addon" : "nodegroup"}Minutes`,
    )}.`,
};

export function remedyFor(code: string, step: Step): string {
  return (
    REMEDIES[code]?.(step) ??
    "See the update's errors (aws eks describe-update) and the target's health issues, fix the cause, then run again: finished steps are not repeated."
  );
}

export interface StepFailure {
  stepId: string;
  kind: Step["kind"];
  target: string;
  updateId?: string | undefined;
  /** The EKS error code of the failed update, the API error name, DEADLINE_EXCEEDED or ENDPOINT_UNREACHABLE. */
  code: string;
  message: string;
  remedy: string;
  /** A node group's drain: the pods whose evictions budgets refused at the end (the API server's view). */
  blockers?: string[] | undefined;
}

/** An upgrade step failed; nothing after it was started, and a re-run resumes from it. */
export class UpgradeError extends Error {
  constructor(readonly failures: StepFailure[]) {
    super(describeFailures(failures, plainKey));
    this.name = "UpgradeError";
  }

  /** The message with the spec keys in the adapter's terms (flags, stack config keys). */
  describe(keys: KeyRenderer): string {
    return describeFailures(this.failures, keys);
  }
}

function describeFailures(failures: StepFailure[], keys: KeyRenderer): string {
  return failures
    .map(
      (f) =>
        `step ${f.stepId} failed: ${f.code}: ${f.message}${f.updateId ? ` (update ${f.updateId})` : ""}.` +
        `${f.blockers?.length ? ` Evictions refused at the end: ${f.blockers.join("; ")}.` : ""} ${renderKeys(f.remedy, keys)}`,
    )
    .join("\n");
}

/** A finding on one line: code, the key it is about, what is wrong and what to do. */
export function describeFinding(f: Finding, keys: KeyRenderer): string {
  return `${f.code} ${keys(f.field)}: ${renderKeys(f.message, keys)}. ${renderKeys(f.remedy, keys)}`;
}

/** The plan has violations: nothing was called. */
export class PlanRefusedError extends Error {
  constructor(readonly violations: Finding[]) {
    super(describeRefusal(violations, plainKey));
    this.name = "PlanRefusedError";
  }

  describe(keys: KeyRenderer): string {
    return describeRefusal(this.violations, keys);
  }
}

function describeRefusal(violations: Finding[], keys: KeyRenderer): string {
  return `the upgrade plan is refused; nothing was changed:\n${violations.map((v) => `- ${describeFinding(v, keys)}`).join("\n")}`;
}

/** The run was stopped through its AbortSignal; updates already started go on in EKS and a re-run resumes. */
export class UpgradeAbortedError extends Error {
  constructor(readonly inFlight: { stepId: string; updateId: string }[]) {
    super(
      `upgrade stopped${inFlight.length ? `; still running in EKS: ${inFlight.map((f) => `${f.stepId} (update ${f.updateId})`).join(", ")}` : ""}. Run again to resume.`,
    );
    this.name = "UpgradeAbortedError";
  }
}

/**
 * The run stopped after the steps in flight, as asked (Ctrl-C once, Pulumi's Cancel) or because the
 * cluster was paused: nothing it started is still running in EKS. A re-run goes on from `left`.
 */
export class UpgradeStoppedError extends Error {
  constructor(
    /** Why: "SIGINT received", or the pause ("paused by <arn> at <time>: <reason>"). */
    readonly reason: string,
    readonly paused: boolean,
    /** The steps that ended (updated, awaited or skipped), in order. */
    readonly done: string[],
    /** The steps not started. */
    readonly left: string[],
  ) {
    const then = paused
      ? CHECKS.CLUSTER_PAUSED.remedy
      : "Run again to go on; finished steps are not repeated.";
    const more = left.length > 3 ? ` and ${left.length - 3} more` : "";
    super(
      `upgrade stopped after the steps in flight: ${reason}. ${done.length} of ${done.length + left.length} steps done` +
        `${done.length ? ` (the last: ${done.at(-1)})` : ""}; not started: ${left.slice(0, 3).join(", ") || "none"}${more}. ` +
        `Nothing it started is still running in EKS. ${then}`,
    );
    this.name = "UpgradeStoppedError";
  }
}

/**
 * The workloads did not come back after a step (upgrade.healthGate: pause): the run paused the
 * cluster and stopped after the steps in flight. Says what is unhealthy, how to look, and how to
 * go on.
 */
export class HealthGateError extends Error {
  private readonly text: string;

  constructor(
    /** The step after which the gate failed. */
    readonly step: string,
    readonly unhealthy: UnhealthyWorkload[],
    /** The pause the run set; undefined when tagging the cluster failed (`pauseError` says why). */
    readonly pause: Pause | undefined,
    readonly pauseError: string | undefined,
    readonly done: string[],
    readonly left: string[],
    context: {
      clusterName: string;
      /** `--cluster demo --region us-east-1` (text.ts clusterFlags). */
      flags: string;
      minutes: number;
      /** The run moved the control plane: EKS can take it back for 7 days. */
      rollback: boolean;
    },
  ) {
    const text = gateText(step, unhealthy, pause, pauseError, done, left, context);
    super(renderKeys(text, plainKey));
    this.text = text;
    this.name = "HealthGateError";
  }

  /** The message with the spec keys in the adapter's terms (flags, stack config keys). */
  describe(keys: KeyRenderer): string {
    return renderKeys(this.text, keys);
  }
}

function gateText(
  step: string,
  unhealthy: UnhealthyWorkload[],
  pause: Pause | undefined,
  pauseError: string | undefined,
  done: string[],
  left: string[],
  context: { clusterName: string; flags: string; minutes: number; rollback: boolean },
): string {
  const { clusterName: name, flags } = context;
  const kc = `kubectl --kubeconfig ${name}.kubeconfig`;
  const [kind, ref] = unhealthy[0]?.workload.split(" ") ?? [];
  const [ns, obj] = ref?.split("/") ?? [];
  const failingPod = unhealthy
    .find((u) => u.failing.length)
    ?.failing[0]?.split(" ")[0]
    ?.split("/");
  const look = [
    `eks-upgrade kubeconfig ${flags} > ${name}.kubeconfig`,
    `${kc} get pods -A | grep -v Running`,
    ...(kind && ns && obj ? [`${kc} describe ${kind.toLowerCase()} -n ${ns} ${obj}`] : []),
    ...(failingPod?.length === 2 ? [`${kc} logs -n ${failingPod[0]} ${failingPod[1]} --previous`] : []),
  ];
  const paused = pause
    ? `Cluster ${name} is ${describePause(pause)}: no run starts a step until it is resumed.`
    : `Pausing cluster ${name} failed (${pauseError ?? "unknown error"}): the next run would go on; pause it yourself with eks-upgrade pause ${flags} --reason "workloads down".`;
  const more = left.length > 3 ? ` and ${left.length - 3} more` : "";
  const code = CHECKS.WORKLOADS_NOT_BACK.code;
  return (
    `${code} the workloads did not come back within ${context.minutes} minutes after step ${step} (${key("upgrade.healthGate")}):\n` +
    unhealthy.map((u) => `- ${describeUnhealthy(u)}`).join("\n") +
    `\n${paused} ${done.length} of ${done.length + left.length} steps done; not started: ${left.slice(0, 3).join(", ") || "none"}${more}.\n` +
    `To look: ${look[0]}; then ${look.slice(1).join("; ")}.\n` +
    `To go on: fix the workloads, then eks-upgrade resume ${flags} and run again (finished steps are not repeated)` +
    (context.rollback
      ? `; or roll back while EKS allows it (7 days after the upgrade): eks-upgrade rollback ${flags}.`
      : ".")
  );
}
