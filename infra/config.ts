import { SpecFields } from "@eks-upgrade/engine";
import { z } from "zod";

/**
 * The stack configuration of the eks-upgrade program (`Pulumi.<stack>.yaml`, namespace
 * `eks-upgrade`). Validated at run time: an error names the config key as `pulumi config` writes
 * it, e.g. `eks-upgrade:nodeGroups[1].amiReleaseVersion`. README.md has the reference table.
 */

export const NAMESPACE = "eks-upgrade";

const {
  minor,
  name,
  addonVersion,
  endpoint: emulatorEndpoint,
  resolveConflicts,
  NodeGroupFields,
  oneMaxUnavailable,
  UpgradePolicy,
} = SpecFields;

/** A managed node group: its upgrade settings (the engine's, same names) and how managed mode creates it. */
const NodeGroupConfig = oneMaxUnavailable(
  z.strictObject({
    ...NodeGroupFields,
    /** EKS AMI type (AL2023_x86_64_STANDARD, BOTTLEROCKET_ARM_64, ...). */
    amiType: z
      .string()
      .regex(/^[A-Z0-9_a-z]+$/)
      .default("AL2023_x86_64_STANDARD"),
    instanceTypes: z.array(z.string().min(1)).min(1).default(["m6i.large"]),
    capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND"),
    scaling: z
      .strictObject({
        min: z.number().int().min(0),
        max: z.number().int().min(1),
        desired: z.number().int().min(0),
      })
      .refine((s) => s.min <= s.desired && s.desired <= s.max, { message: "needs min <= desired <= max" })
      .default({ min: 1, max: 3, desired: 2 }),
    labels: z.record(z.string(), z.string()).default({}),
    taints: z
      .array(
        z.strictObject({
          key: z.string().min(1),
          value: z.string().optional(),
          effect: z.enum(["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]),
        }),
      )
      .default([]),
  }),
);

/** The keys of a node group's entry that the upgrade reads (the rest is for managed mode). */
export const NODE_GROUP_UPGRADE_KEYS = Object.keys(NodeGroupFields) as (keyof typeof NodeGroupFields)[];

export const StackConfigSchema = z.strictObject({
  /** managed: this program declares the cluster; existing: the cluster was made elsewhere, only its upgrades are managed. */
  mode: z.enum(["managed", "existing"]),
  /** The EKS cluster's name. */
  clusterName: name,
  /** The Kubernetes minor of the control plane, add-ons and node groups (the Terraform module's cluster_version). */
  clusterVersion: minor,
  /** Managed mode: the VPC and subnets; the account's default VPC when absent. */
  vpc: z.strictObject({ vpcId: z.string().min(1), subnetIds: z.array(z.string().min(1)).min(2) }).optional(),
  /** Add-ons by name: "default", "latest", "current" or a pinned version, or {version, resolveConflicts}. */
  addons: z
    .record(
      name,
      z.union([
        addonVersion,
        z.strictObject({
          version: addonVersion.default("default"),
          resolveConflicts: resolveConflicts.optional(),
        }),
      ]),
    )
    .default({ "vpc-cni": "default", coredns: "default", "kube-proxy": "default" }),
  /** Managed node groups by name (a map, so every key path stays stable); canaries first, in this order. */
  nodeGroups: z.record(name, NodeGroupConfig).default({}),
  /** How upgrades run: node groups at once, ERROR insights, per-step deadlines, polling. */
  upgrade: UpgradePolicy.prefault({}),
  /** Only versions the upstream stack runs, for at least soakHours, may go here. */
  promotion: z
    .strictObject({
      upstreamStack: z.string().regex(/^[\w.-]+\/[\w.-]+\/[\w.-]+$/, "must be org/project/stack"),
      soakHours: z.number().min(0).default(0),
    })
    .optional(),
  /** Controllers that follow the control-plane minor (managed mode). */
  controllers: z
    .strictObject({
      clusterAutoscaler: z
        .strictObject({
          enabled: z.boolean().default(true),
          /** IAM role for its service account (IRSA); without it the node role's permissions apply. */
          roleArn: z.string().startsWith("arn:").optional(),
          /** Before the objects were the program's own, a Helm chart's version: say so rather than "unknown key". */
          chartVersion: z
            .never({
              error:
                "is no longer read: cluster-autoscaler is declared as plain Kubernetes objects (no Helm chart " +
                "is fetched) and its image follows the control-plane minor; remove this key",
            })
            .optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  /** The local emulator: EKS and SSM (and STS, else EKS's) endpoint URLs (loopback only; dummy credentials are used for them). */
  endpoints: z
    .strictObject({ eks: emulatorEndpoint, ssm: emulatorEndpoint, sts: emulatorEndpoint.optional() })
    .optional(),
  /** The local emulator's time scale. */
  timeScale: z.number().positive().max(1).optional(),
  tags: z.record(z.string(), z.string()).default({}),
});

export type StackConfig = z.output<typeof StackConfigSchema>;
export type NodeGroupConfig = StackConfig["nodeGroups"][string];

/** Config keys whose values are structured (YAML maps and lists; Pulumi holds them as JSON strings). */
const STRUCTURED = new Set([
  "vpc",
  "addons",
  "nodeGroups",
  "upgrade",
  "promotion",
  "controllers",
  "endpoints",
  "tags",
]);
const NUMERIC = new Set(["timeScale"]);
export const CONFIG_KEYS = Object.keys(StackConfigSchema.shape);

/** The layout before node groups were keyed by name: say how to move, not just that it is wrong. */
const NODE_GROUPS_LIST =
  "is a list; node groups are now a map keyed by name, so every key stays stable " +
  '(eks-upgrade:nodeGroups.general.force). Write each "- name: general" entry as "general:" with the ' +
  "same settings indented below it (see README, Stack config reference)";

export class StackConfigError extends Error {
  constructor(readonly issues: { key: string; message: string }[]) {
    super(`invalid stack config:\n${issues.map((i) => `  ${i.key}: ${i.message}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

/**
 * Reads and validates the stack config from the whole config map as Pulumi holds it
 * (`pulumi.runtime.allConfig()`: "namespace:key" -> string, JSON for structured values).
 * Keys of other namespaces (aws:region, ...) are left alone; unknown keys of ours are errors.
 */
export function loadStackConfig(all: Record<string, string>): StackConfig {
  const raw: Record<string, unknown> = {};
  const issues: { key: string; message: string }[] = [];
  for (const [full, value] of Object.entries(all)) {
    if (!full.startsWith(`${NAMESPACE}:`)) continue;
    const key = full.slice(NAMESPACE.length + 1);
    if (!CONFIG_KEYS.includes(key)) {
      issues.push({ key: full, message: `unknown key (known: ${CONFIG_KEYS.join(", ")})` });
    } else if (STRUCTURED.has(key)) {
      try {
        raw[key] = JSON.parse(value);
      } catch {
        issues.push({ key: full, message: "must be a structured value (a YAML map or list)" });
      }
    } else {
      raw[key] = NUMERIC.has(key) ? Number(value) : value;
    }
  }
  if (Array.isArray(raw.nodeGroups)) {
    issues.push({ key: `${NAMESPACE}:nodeGroups`, message: NODE_GROUPS_LIST });
    delete raw.nodeGroups;
  }
  const result = StackConfigSchema.safeParse(raw);
  if (!result.success) {
    for (const i of result.error.issues) {
      const path = i.code === "unrecognized_keys" ? [...i.path, i.keys[0] ?? ""] : i.path;
      issues.push({
        key: configKey(path),
        message: i.code === "unrecognized_keys" ? "unknown key" : i.message,
      });
    }
  }
  if (issues.length || !result.success) throw new StackConfigError(issues);
  return result.data;
}

/** `eks-upgrade:nodeGroups.general.amiReleaseVersion`, as `pulumi config set --path` names it. */
export function configKey(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path;
  let out = `${NAMESPACE}:${String(head ?? "")}`;
  for (const p of rest) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
  return out;
}
