import {
  type ClusterRef,
  type DesiredSpec,
  type DesiredSpecInput,
  parseClusterRef,
  parseSpec,
  SpecError,
} from "@eks-upgrade/engine";
import { CliError } from "./errors";

/** Options shared by status, plan and apply. */
export interface ClusterOptions {
  cluster: string;
  region?: string;
  endpoint?: string;
}

/** Options of plan and apply: the desired versions. */
export interface TargetOptions extends ClusterOptions {
  to: string;
  addons?: string;
  nodegroups?: string;
  force?: string;
  concurrency?: string;
  order?: string;
  insights?: string;
  acknowledge?: string[];
  timeScale?: string;
}

/** Which command-line argument a spec field comes from, for error messages. */
const ARGUMENT_OF: [RegExp, string][] = [
  [/^kubernetesVersion/, "--to"],
  [/^clusterName/, "--cluster"],
  [/^region/, "--region"],
  [/^endpoints/, "--endpoint"],
  [/^addons/, "--addons"],
  [/^nodeGroups\.[^.]+\.force/, "--force"],
  [/^nodeGroups/, "--nodegroups"],
  [/^nodeGroupConcurrency/, "--concurrency"],
  [/^nodeGroupOrder/, "--order"],
  [/^insights/, "--insights/--acknowledge"],
];

export function argumentOf(field: string): string {
  return ARGUMENT_OF.find(([re]) => re.test(field))?.[1] ?? field;
}

export function region(o: ClusterOptions): string {
  const r = o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!r) throw new CliError("--region is required (or set AWS_REGION), e.g. --region us-east-1");
  return r;
}

export function endpoints(o: ClusterOptions): DesiredSpecInput["endpoints"] {
  return o.endpoint ? { eks: o.endpoint, ssm: o.endpoint } : undefined;
}

/** `name=value,name=value` lists, as --addons and --nodegroups take them. */
function pairs(option: string, value: string | undefined, example: string): [string, string][] {
  if (!value) return [];
  return value.split(",").map((item) => {
    const [name, v, ...rest] = item.split("=");
    if (!name || !v || rest.length)
      throw new CliError(
        `${option}: expected name=value pairs separated by commas, like ${example}; got "${item}"`,
      );
    return [name.trim(), v.trim()];
  });
}

/** Builds and validates the engine's desired spec; a bad value is reported with its argument. */
export function specFromOptions(o: TargetOptions): DesiredSpec {
  const addons = Object.fromEntries(pairs("--addons", o.addons, "coredns=latest,vpc-cni=v1.19.0-eksbuild.1"));
  const nodeGroups: Record<string, Record<string, unknown>> = {};
  for (const [name, v] of pairs(
    "--nodegroups",
    o.nodegroups,
    "general=latest,batch=1.31.0-20241024,custom=lt:4",
  )) {
    nodeGroups[name] = v.startsWith("lt:") ? { launchTemplateVersion: v.slice(3) } : { releaseVersion: v };
  }
  for (const name of list(o.force)) nodeGroups[name] = { ...nodeGroups[name], force: true };
  const input: Record<string, unknown> = {
    clusterName: o.cluster,
    region: region(o),
    endpoints: endpoints(o),
    kubernetesVersion: o.to,
    addons,
    nodeGroups,
    nodeGroupOrder: list(o.order),
  };
  if (o.concurrency !== undefined) input.nodeGroupConcurrency = number("--concurrency", o.concurrency);
  if (o.acknowledge?.length) input.insights = o.acknowledge;
  else if (o.insights) input.insights = o.insights;
  return parse(input);
}

export function parse(input: Record<string, unknown>): DesiredSpec {
  return withArguments(() => parseSpec(input));
}

/** The cluster to talk to, validated: --cluster, --region, --endpoint. */
export function clusterRef(o: ClusterOptions): ClusterRef {
  return withArguments(() =>
    parseClusterRef({ clusterName: o.cluster, region: region(o), endpoints: endpoints(o) }),
  );
}

/** Spec errors reported by the command-line argument they come from. */
function withArguments<T>(validate: () => T): T {
  try {
    return validate();
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    throw new CliError(e.issues.map((i) => `${argumentOf(i.field)} (${i.field}): ${i.message}`).join("\n"));
  }
}

export function number(option: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n))
    throw new CliError(`${option}: expected a number, got "${value}"`);
  return n;
}

export function timeScale(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = number("--time-scale", value);
  if (!(n > 0 && n <= 1)) throw new CliError(`--time-scale: expected a number in (0, 1], got ${value}`);
  return n;
}

function list(value: string | undefined): string[] {
  return value
    ? value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}
