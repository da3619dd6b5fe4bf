import {
  type ClusterRef,
  type DesiredSpec,
  type DesiredSpecInput,
  type KeyRenderer,
  type PromotionGate,
  parseClusterRef,
  parseRollbackSpec,
  parseSpec,
  type RollbackSpec,
  SpecError,
} from "@eks-upgrade/engine";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadStackConfig, type StackConfig, StackConfigError } from "../infra/config";
import { readStackFile } from "../infra/stack-file";
import { upgradeArgs } from "../infra/upgrade-args";
import { CliError } from "./errors";
import { flagKey, keysFor } from "./keys";
import { promotionGateOf } from "./promotion";

/** Options shared by status, plan and apply. */
export interface ClusterOptions {
  cluster: string;
  region?: string;
  endpoint?: string;
}

/** Options of plan and apply: the desired versions, from the options or from a stack's config. */
export interface TargetOptions extends Partial<ClusterOptions> {
  stack?: string;
  clusterVersion?: string;
  /** Short alias of --cluster-version. */
  to?: string;
  canary?: string;
  addons?: string;
  amiReleaseVersion?: string;
  launchTemplateVersion?: string;
  /** Former form of both: name=<release> or name=lt:<version>. */
  nodegroups?: string;
  force?: string;
  drainChecks?: string;
  /** false with --no-kubernetes-checks. */
  kubernetesChecks?: boolean;
  concurrency?: string;
  bakeHours?: string;
  order?: string;
  insights?: string;
  acknowledge?: string[];
  timeScale?: string;
}

export function region(o: { region?: string | undefined }): string {
  const r = o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!r) throw new CliError("--region is required (or set AWS_REGION), e.g. --region us-east-1");
  return r;
}

export function endpoints(o: { endpoint?: string | undefined }): DesiredSpecInput["endpoints"] {
  return o.endpoint ? { eks: o.endpoint, ssm: o.endpoint, sts: o.endpoint } : undefined;
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
function fromStack(stack: string): {
  input: Record<string, unknown>;
  timeScale?: number;
  gate?: PromotionGate;
} {
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
  const gate = promotionGateOf(config, stack);
  return {
    input: {
      ...args,
      clusterName: config.clusterName,
      ...(all["aws:region"] ? { region: all["aws:region"] } : {}),
    },
    ...(scale !== undefined ? { timeScale: scale } : {}),
    ...(gate ? { gate } : {}),
  };
}

/**
 * Builds and validates the engine's desired spec; a bad value is reported with its flag.
 * With --stack the stack's config is the base and explicit options override it.
 */
export function specAndScale(o: TargetOptions): {
  spec: DesiredSpec;
  timeScale?: number;
  keys: KeyRenderer;
  /** The stack's promotion gate (--stack only): the same refusal as the program's. */
  gate?: PromotionGate;
} {
  const keys = keysFor(o.stack);
  const base: ReturnType<typeof fromStack> = o.stack ? fromStack(o.stack) : { input: {} };
  if (!o.stack && !o.cluster)
    throw new CliError("--cluster is required (or --stack <name> to read Pulumi.<name>.yaml)");
  const clusterVersion = o.clusterVersion ?? o.to;
  if (!o.stack && !clusterVersion)
    throw new CliError("--cluster-version is required, e.g. --cluster-version 1.32 (or --stack <name>)");
  const addons = Object.fromEntries(pairs("--addons", o.addons, "coredns=latest,vpc-cni=v1.19.0-eksbuild.1"));
  // Canaries first, in the order given: the spec upgrades canary node groups in the order it lists them.
  const canaries = list(o.canary ?? o.order);
  const nodeGroups: Record<string, Record<string, unknown>> = Object.fromEntries(
    canaries.map((name) => [name, { canary: true }]),
  );
  const set = (name: string, fields: Record<string, unknown>) => {
    nodeGroups[name] = { ...nodeGroups[name], ...fields };
  };
  for (const [name, v] of pairs("--nodegroups", o.nodegroups, "general=latest,custom=lt:4"))
    set(name, v.startsWith("lt:") ? { launchTemplateVersion: v.slice(3) } : { amiReleaseVersion: v });
  for (const [name, v] of pairs(
    "--ami-release-version",
    o.amiReleaseVersion,
    "general=latest,batch=1.35.8-20260930",
  ))
    set(name, { amiReleaseVersion: v });
  for (const [name, v] of pairs("--launch-template-version", o.launchTemplateVersion, "custom=4"))
    set(name, { launchTemplateVersion: v });
  for (const name of list(o.force)) nodeGroups[name] = { ...nodeGroups[name], force: true };
  for (const [name, v] of pairs("--drain-checks", o.drainChecks, "general=warn"))
    set(name, { drainChecks: v });
  const input: Record<string, unknown> = { ...base.input };
  if (o.cluster) input.clusterName = o.cluster;
  if (clusterVersion) input.clusterVersion = clusterVersion;
  if (o.region || !input.region) input.region = region(o);
  if (o.endpoint) input.endpoints = endpoints(o);
  if (o.addons) input.addons = addons;
  if (Object.keys(nodeGroups).length) input.nodeGroups = mergeNodeGroups(input.nodeGroups, nodeGroups);
  const upgrade: Record<string, unknown> = { ...(input.upgrade as object) };
  if (o.concurrency !== undefined) upgrade.concurrency = number("--concurrency", o.concurrency);
  if (o.bakeHours !== undefined) upgrade.bakeHours = number("--bake-hours", o.bakeHours);
  if (o.kubernetesChecks === false) upgrade.kubernetesChecks = false;
  if (o.acknowledge?.length) upgrade.insights = o.acknowledge;
  else if (o.insights) upgrade.insights = o.insights;
  input.upgrade = upgrade;
  return {
    spec: parse(input, keys),
    keys,
    ...(base.timeScale !== undefined ? { timeScale: base.timeScale } : {}),
    ...(base.gate ? { gate: base.gate } : {}),
  };
}

/** The flags' node groups over the stack's, canaries given by flag first. */
function mergeNodeGroups(base: unknown, flags: Record<string, Record<string, unknown>>) {
  const from = (base ?? {}) as Record<string, Record<string, unknown>>;
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, n] of Object.entries(flags)) out[name] = { ...from[name], ...n };
  for (const [name, n] of Object.entries(from)) out[name] ??= n;
  return out;
}

export function parse(input: Record<string, unknown>, keys: KeyRenderer = flagKey): DesiredSpec {
  return withArguments(() => parseSpec(input), keys);
}

/** Options of rollback. */
export interface RollbackOptions extends ClusterOptions {
  to?: string;
  acknowledge?: string[];
  timeoutMinutes?: string;
  concurrency?: string;
}

/** The rollback's spec, validated; a bad value is reported with its flag. */
export function rollbackSpec(o: RollbackOptions): RollbackSpec {
  return withArguments(() =>
    parseRollbackSpec({
      clusterName: o.cluster,
      region: region(o),
      endpoints: endpoints(o),
      rollback: {
        ...(o.to !== undefined ? { to: o.to } : {}),
        ...(o.acknowledge ? { acknowledge: o.acknowledge } : {}),
        ...(o.timeoutMinutes !== undefined
          ? { timeoutMinutes: number("--timeout-minutes", o.timeoutMinutes) }
          : {}),
        ...(o.concurrency !== undefined ? { concurrency: number("--concurrency", o.concurrency) } : {}),
      },
    }),
  );
}

/** The cluster to talk to, validated: --cluster, --region, --endpoint. */
export function clusterRef(o: ClusterOptions): ClusterRef {
  return withArguments(() =>
    parseClusterRef({ clusterName: o.cluster, region: region(o), endpoints: endpoints(o) }),
  );
}

/** Spec errors reported by the flag (or stack file key) they come from. */
function withArguments<T>(validate: () => T, keys: KeyRenderer = flagKey): T {
  try {
    return validate();
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    throw new CliError(e.issues.map((i) => `${keys(i.field)}: ${i.message}`).join("\n"));
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
