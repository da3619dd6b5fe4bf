import {
  type ClusterRef,
  type Observed,
  type DesiredSpec,
  type DesiredSpecInput,
  type KeyRenderer,
  type PromotionGates,
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
  healthGate?: string;
  concurrency?: string;
  bakeHours?: string;
  order?: string;
  insights?: string;
  acknowledge?: string[];
  timeScale?: string;
  /** --only: the targets to change (control-plane, addon:NAME, nodegroup:NAME); others stay "current". */
  only?: string[];
}

/** What --only selects, and the cluster as read before the spec is made (to name what it leaves out). */
export interface Selection {
  only: string[];
  observed: Observed;
}

/** --only's values, checked: `control-plane`, `addon:<name>`, `nodegroup:<name>`, each once. */
export function parseOnly(values: string[] | undefined): string[] | undefined {
  if (!values?.length) return undefined;
  for (const v of values)
    if (!/^(control-plane|addon:[\w-]+|nodegroup:[\w-]+)$/.test(v))
      throw new CliError(
        `--only ${v}: expected control-plane, addon:<name> or nodegroup:<name> (repeat --only for more)`,
      );
  return unique("--only", values);
}

/** A flag holding a Kubernetes minor: refused at once, with the form, when it is not one. */
export function minorFlag(flag: string, value: string, example = "1.31"): void {
  if (!/^1\.[1-9]\d$/.test(value))
    throw new CliError(
      `${flag} ${value}: must be a Kubernetes minor like ${example} (major 1, no "v", no patch)`,
    );
}

export function region(o: { region?: string | undefined }): string {
  const r = o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!r) throw new CliError("--region is required (or set AWS_REGION), e.g. --region us-east-1");
  return r;
}

export function endpoints(o: { endpoint?: string | undefined }): DesiredSpecInput["endpoints"] {
  const e = o.endpoint;
  if (e === undefined) return undefined;
  // An empty value would silently mean AWS itself; a host:port without its scheme is no URL.
  if (!e.trim())
    throw new CliError(
      "--endpoint is empty: leave it out to talk to AWS, or give the emulator's URL (http://127.0.0.1:4599)",
    );
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(e))
    throw new CliError(
      `--endpoint ${e}: a URL starts with its scheme, like http://${e} for the local emulator`,
    );
  return { eks: e, ssm: e, sts: e };
}

/** `name=value,name=value` lists, as --addons and --nodegroups take them. */
function pairs(option: string, value: string | undefined, example: string): [string, string][] {
  if (!value) return [];
  const out = value.split(",").map((item): [string, string] => {
    const [name, v, ...rest] = item.split("=");
    if (!name || !v || rest.length)
      throw new CliError(
        `${option}: expected name=value pairs separated by commas, like ${example}; got "${item}"`,
      );
    return [name.trim(), v.trim()];
  });
  for (const [name] of out) {
    const given = out.filter(([n]) => n === name).map(([, v]) => `${name}=${v}`);
    if (given.length > 1)
      throw new CliError(
        `${option}: ${name} is given ${given.length} times (${given.join(", ")}); give it once`,
      );
  }
  return out;
}

/**
 * What `--stack <name>` brings: the program's own config for that stack (Pulumi.<name>.yaml in the
 * working directory), validated by the program's schema, as the engine's spec input.
 */
export function fromStack(
  stack: string,
  /** false: leave the promotion gate unread (the fleet commands lay the stages out themselves). */
  { promotion = true }: { promotion?: boolean } = {},
): {
  input: Record<string, unknown>;
  timeScale?: number;
  gate?: PromotionGates;
} {
  const file = join(process.cwd(), `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) {
    const stacks = readdirSync(process.cwd())
      .map((f) => /^Pulumi\.([\w-]+)\.yaml$/.exec(f)?.[1])
      .filter(Boolean);
    throw new CliError(`--stack: no Pulumi.${stack}.yaml here (stacks: ${stacks.join(", ") || "none"})`);
  }
  let all: Record<string, string>;
  try {
    all = readStackFile(file);
  } catch (e) {
    // A YAML mistake: the file, the line and the column, as an editor would want them.
    const pos = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    if (!pos) throw e;
    throw new CliError(
      `--stack ${stack}: Pulumi.${stack}.yaml, line ${pos.line}, column ${pos.col}: ${(e as Error).message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")}`,
    );
  }
  let config: StackConfig;
  try {
    config = loadStackConfig(all);
  } catch (e) {
    if (e instanceof StackConfigError) throw new CliError(`--stack ${stack}: ${e.message}`);
    throw e;
  }
  const { timeScale: scale, ...args } = upgradeArgs(config);
  const gate = promotion ? promotionGateOf(config, stack) : undefined;
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
export function specAndScale(
  o: TargetOptions,
  selection?: Selection,
  { promotion = true }: { promotion?: boolean } = {},
): {
  spec: DesiredSpec;
  timeScale?: number;
  keys: KeyRenderer;
  /** The stack's promotion gate (--stack only): the same refusal as the program's. */
  gate?: PromotionGates;
} {
  const base: ReturnType<typeof fromStack> = o.stack ? fromStack(o.stack, { promotion }) : { input: {} };
  if (!o.stack && !o.cluster)
    throw new CliError("--cluster is required (or --stack <name> to read Pulumi.<name>.yaml)");
  if (o.clusterVersion !== undefined && o.to !== undefined && o.clusterVersion !== o.to)
    throw new CliError(
      `--cluster-version ${o.clusterVersion} and --to ${o.to} contradict each other (--to is short for --cluster-version): give one`,
    );
  // With --only and no control-plane in it, the target is where the control plane is.
  const clusterVersion =
    o.clusterVersion ??
    o.to ??
    (selection && !o.stack && !selection.only.includes("control-plane")
      ? selection.observed.cluster.version
      : undefined);
  // A flag is no YAML: its mistakes get the form, not the stack file's quoting hint.
  const given = o.clusterVersion ?? o.to;
  if (given !== undefined) minorFlag(o.clusterVersion !== undefined ? "--cluster-version" : "--to", given);
  if (!o.stack && !clusterVersion)
    throw new CliError("--cluster-version is required, e.g. --cluster-version 1.32 (or --stack <name>)");
  const addons = Object.fromEntries(pairs("--addons", o.addons, "coredns=latest,vpc-cni=v1.19.0-eksbuild.1"));
  // Canaries first, in the order given: the spec upgrades canary node groups in the order it lists them.
  const canaries = unique(o.canary !== undefined ? "--canary" : "--order", list(o.canary ?? o.order));
  const nodeGroups: Record<string, Record<string, unknown>> = Object.fromEntries(
    canaries.map((name) => [name, { canary: true }]),
  );
  /** The field of the flag that first named each node group: a finding about the group names that flag. */
  const namedBy = new Map<string, string>(canaries.map((name) => [name, "canary"]));
  const set = (name: string, fields: Record<string, unknown>) => {
    nodeGroups[name] = { ...nodeGroups[name], ...fields };
    if (!namedBy.has(name)) namedBy.set(name, Object.keys(fields)[0] ?? "amiReleaseVersion");
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
  for (const name of unique("--force", list(o.force))) set(name, { force: true });
  for (const [name, v] of pairs("--drain-checks", o.drainChecks, "general=warn"))
    set(name, { drainChecks: v });
  if (selection) leaveOut(selection, nodeGroups, namedBy, addons, base.input);
  const stackKeys = keysFor(o.stack);
  // A finding about a whole node group names the flag the user named it with (--canary x, --force x).
  const keys: KeyRenderer = (path, value) => {
    if (path === "only") return "--only";
    // What a flag gave is named by the flag, though the rest comes from the stack.
    if (path === "clusterName" && o.cluster) return "--cluster";
    if (path === "region" && o.region) return "--region";
    if (path.startsWith("endpoints") && o.endpoint) return "--endpoint";
    const [head, name, leaf] = path.split(".");
    const flag = head === "nodeGroups" && name && leaf === undefined ? namedBy.get(name) : undefined;
    return stackKeys(flag ? `${path}.${flag}` : path, value);
  };
  const input: Record<string, unknown> = { ...base.input };
  if (o.cluster) input.clusterName = o.cluster;
  if (clusterVersion) input.clusterVersion = clusterVersion;
  if (o.region || !input.region) input.region = region(o);
  if (o.endpoint) input.endpoints = endpoints(o);
  // --addons replaces the stack's add-ons; what --only leaves out is added to them.
  if (o.addons) input.addons = addons;
  else if (Object.keys(addons).length) input.addons = { ...(input.addons as object), ...addons };
  if (Object.keys(nodeGroups).length) input.nodeGroups = mergeNodeGroups(input.nodeGroups, nodeGroups);
  const upgrade: Record<string, unknown> = { ...(input.upgrade as object) };
  if (o.concurrency !== undefined) upgrade.concurrency = number("--concurrency", o.concurrency);
  if (o.bakeHours !== undefined) upgrade.bakeHours = number("--bake-hours", o.bakeHours);
  if (o.kubernetesChecks === false) upgrade.kubernetesChecks = false;
  if (o.healthGate) upgrade.healthGate = o.healthGate;
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

/**
 * --only: every node group and add-on it does not name keeps what runs ("current"). A flag that
 * sets something for a target left out contradicts the selection and is refused, naming both.
 */
function leaveOut(
  { only, observed }: Selection,
  nodeGroups: Record<string, Record<string, unknown>>,
  namedBy: Map<string, string>,
  addons: Record<string, unknown>,
  stack: Record<string, unknown>,
): void {
  const contradiction = (target: string, flag: string) =>
    new CliError(
      `--only leaves ${target} out, but ${flag} names it: add --only ${target}, or drop it from ${flag}`,
    );
  for (const ng of observed.nodegroups) {
    const target = `nodegroup:${ng.name}`;
    if (only.includes(target)) continue;
    const flag = namedBy.get(ng.name);
    if (flag && flag !== "canary")
      throw contradiction(target, `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    const fromStack = (stack.nodeGroups as Record<string, Record<string, unknown>> | undefined)?.[ng.name];
    nodeGroups[ng.name] = { ...fromStack, ...nodeGroups[ng.name], amiReleaseVersion: "current" };
  }
  for (const a of observed.addons) {
    const target = `addon:${a.name}`;
    if (only.includes(target)) continue;
    if (addons[a.name] !== undefined) throw contradiction(target, "--addons");
    const fromStack = (stack.addons as Record<string, unknown> | undefined)?.[a.name];
    addons[a.name] =
      fromStack && typeof fromStack === "object" ? { ...fromStack, version: "current" } : "current";
  }
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

/**
 * The cluster pause and resume act on: --cluster, or the stack's (--region and --endpoint override
 * it). Its promotion gate is not read: a pause must work when the upstream's outputs cannot be.
 */
export function clusterOrStack(o: Partial<ClusterOptions> & { stack?: string }): ClusterRef {
  const base = o.stack ? fromStack(o.stack, { promotion: false }).input : {};
  if (!o.stack && !o.cluster)
    throw new CliError("--cluster is required (or --stack <name> to read Pulumi.<name>.yaml)");
  return withArguments(() =>
    parseClusterRef({
      clusterName: o.cluster ?? base.clusterName,
      region: o.region || !base.region ? region(o) : base.region,
      endpoints: o.endpoint ? endpoints(o) : base.endpoints,
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
    // One flag can fill several fields (--endpoint: eks, ssm and sts): each message once.
    throw new CliError([...new Set(e.issues.map((i) => `${keys(i.field)}: ${i.message}`))].join("\n"));
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

/** A list flag's names, each once. */
function unique(option: string, names: string[]): string[] {
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new CliError(`${option}: ${repeated} is given more than once; give it once`);
  return names;
}

function list(value: string | undefined): string[] {
  return value
    ? value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}
