import {
  type ClusterRef,
  type DesiredSpec,
  type DesiredSpecInput,
  parseClusterRef,
  parseSpec,
  SpecError,
} from "@eks-upgrade/engine";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadStackConfig, type StackConfig, StackConfigError } from "../infra/config";
import { readStackFile } from "../infra/stack-file";
import { upgradeArgs } from "../infra/upgrade-args";
import { CliError } from "./errors";

/** Options shared by status, plan and apply. */
export interface ClusterOptions {
  cluster: string;
  region?: string;
  endpoint?: string;
}

/** Options of plan and apply: the desired versions, from the options or from a stack's config. */
export interface TargetOptions extends Partial<ClusterOptions> {
  stack?: string;
  to?: string;
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

export function region(o: { region?: string | undefined }): string {
  const r = o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!r) throw new CliError("--region is required (or set AWS_REGION), e.g. --region us-east-1");
  return r;
}

export function endpoints(o: { endpoint?: string | undefined }): DesiredSpecInput["endpoints"] {
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

/**
 * What `--stack <name>` brings: the program's own config for that stack (Pulumi.<name>.yaml in the
 * working directory), validated by the program's schema, as the engine's spec input.
 */
function fromStack(stack: string): { input: Record<string, unknown>; timeScale?: number } {
  const file = join(process.cwd(), `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) {
    const stacks = readdirSync(process.cwd())
      .map((f) => /^Pulumi\.([\w-]+)\.yaml$/.exec(f)?.[1])
      .filter(Boolean);
    throw new CliError(`--stack: no Pulumi.${stack}.yaml here (stacks: ${stacks.join(", ") || "none"})`);
  }
  const all = readStackFile(file);
  let config: StackConfig;
  try {
    config = loadStackConfig(all);
  } catch (e) {
    if (e instanceof StackConfigError) throw new CliError(`--stack ${stack}: ${e.message}`);
    throw e;
  }
  const { timeScale: scale, ...args } = upgradeArgs(config);
  return {
    input: {
      ...args,
      clusterName: config.clusterName,
      ...(all["aws:region"] ? { region: all["aws:region"] } : {}),
    },
    ...(scale !== undefined ? { timeScale: scale } : {}),
  };
}

/**
 * Builds and validates the engine's desired spec; a bad value is reported with its argument.
 * With --stack the stack's config is the base and explicit options override it.
 */
export function specFromOptions(o: TargetOptions): DesiredSpec {
  return specAndScale(o).spec;
}

export function specAndScale(o: TargetOptions): { spec: DesiredSpec; timeScale?: number } {
  const base = o.stack ? fromStack(o.stack) : { input: {} as Record<string, unknown> };
  if (!o.stack && !o.cluster)
    throw new CliError("--cluster is required (or --stack <name> to read Pulumi.<name>.yaml)");
  if (!o.stack && !o.to) throw new CliError("--to is required, e.g. --to 1.32 (or --stack <name>)");
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
  const input: Record<string, unknown> = { ...base.input };
  if (o.cluster) input.clusterName = o.cluster;
  if (o.to) input.kubernetesVersion = o.to;
  if (o.region || !input.region) input.region = region(o);
  if (o.endpoint) input.endpoints = endpoints(o);
  if (o.addons) input.addons = addons;
  if (o.nodegroups || o.force) input.nodeGroups = { ...(input.nodeGroups as object), ...nodeGroups };
  if (o.order) input.nodeGroupOrder = list(o.order);
  if (o.concurrency !== undefined) input.nodeGroupConcurrency = number("--concurrency", o.concurrency);
  if (o.acknowledge?.length) input.insights = o.acknowledge;
  else if (o.insights) input.insights = o.insights;
  return { spec: parse(input), ...(base.timeScale !== undefined ? { timeScale: base.timeScale } : {}) };
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
