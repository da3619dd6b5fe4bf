import { z } from "zod";

/**
 * The desired state of one cluster's versions: what the provider, the program and the CLI hand to
 * the engine. Validated at run time; every error names the field (`nodeGroups.general.force`).
 */

/**
 * A Kubernetes minor in the form EKS lists them: major 1, minor 10-99, as a string. Checked before
 * any arithmetic, so "2.0" or "1.999999" is refused at once instead of planned toward. A YAML
 * number (unquoted 1.30, which YAML reads as 1.3) gets the hint to quote it.
 */
const MINOR_FORM = 'a Kubernetes minor like "1.31" (major 1, no "v", no patch)';
const minor = z
  .union([z.string(), z.number()], {
    error: (issue) => (issue.input === undefined ? `required: ${MINOR_FORM}` : `must be ${MINOR_FORM}`),
  })
  .transform((v, ctx) => {
    if (typeof v === "string" && /^1\.[1-9]\d$/.test(v)) return v;
    const quote = typeof v === "number" || (typeof v === "string" && /^\d+(\.\d)?$/.test(v));
    ctx.addIssue({
      code: "custom",
      message:
        `must be ${MINOR_FORM}; got ${JSON.stringify(v)}` +
        (quote ? `: quote it in YAML ("1.30"), or 1.30 reads as the number 1.3` : ""),
    });
    return z.NEVER;
  });
const name = z
  .string()
  .regex(
    /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/,
    "must be 1-100 letters, digits, '-' or '_', starting with a letter or digit",
  );
const resolveConflicts = z.enum(["OVERWRITE", "NONE", "PRESERVE"]);
const addonVersion = z.union([
  z.literal("default"),
  z.literal("latest"),
  z.literal("current"),
  z
    .string()
    .regex(
      /^v\d+\.\d+\.\d+-eksbuild\.\d+$/,
      'must be "default", "latest", "current" or a version like v1.19.0-eksbuild.1',
    ),
]);

const AddonSpec = z.union([
  addonVersion,
  z.strictObject({
    /**
     * "default" (what EKS marks default for the minor), "latest" (newest compatible), "current"
     * (what runs, until the control plane moves: then the target minor's newest) or a pinned version.
     */
    version: addonVersion.default("default"),
    /** How EKS treats fields changed on the cluster since the last update. */
    resolveConflicts: resolveConflicts.optional(),
  }),
]);

/** A node group's upgrade settings; the stack config adds the managed-mode ones (AMI type, sizes, ...). */
const NodeGroupFields = {
  /**
   * "latest" (newest release of the node group's AMI family for the target minor), "current" (what
   * runs, while the node group's minor stays; when it must follow the control plane, the target
   * minor's newest) or a pinned release.
   */
  amiReleaseVersion: z
    .string()
    .regex(
      /^(latest|current|[0-9][0-9A-Za-z.-]*)$/,
      'must be "latest", "current" or a release like 1.31.0-20241024',
    )
    .default("latest"),
  /** Replace nodes even when a PodDisruptionBudget blocks their drain. */
  force: z.boolean().default(false),
  /**
   * What a finding about this node group's drain does (a budget that refuses, a pod that would be
   * lost): "block" the plan (the default), or only "warn" once you have looked at it.
   */
  drainChecks: z.enum(["block", "warn"]).default("block"),
  /** Canary node groups are upgraded first, in the order they are listed. */
  canary: z.boolean().default(false),
  /** Custom-AMI node groups move by launch template version; give the version holding the new AMI. */
  launchTemplateVersion: z.string().regex(/^\d+$/, "must be a launch template version number").optional(),
  /** Nodes replaced at once during the update (EKS updateConfig). */
  maxUnavailable: z.number().int().min(1).max(100).optional(),
  maxUnavailablePercentage: z.number().int().min(1).max(100).optional(),
  /**
   * EKS updateConfig.updateStrategy: DEFAULT adds new nodes before draining old ones; MINIMAL
   * drains first and adds no surge capacity (scarce instance types, capacity reservations).
   */
  updateStrategy: z.enum(["DEFAULT", "MINIMAL"]).optional(),
};

/** maxUnavailable or maxUnavailablePercentage, as EKS takes one of them. */
function oneMaxUnavailable<
  T extends z.ZodType<{ maxUnavailable?: number | undefined; maxUnavailablePercentage?: number | undefined }>,
>(schema: T): T {
  return schema.refine((n) => n.maxUnavailable === undefined || n.maxUnavailablePercentage === undefined, {
    message: "give maxUnavailable or maxUnavailablePercentage, not both",
    path: ["maxUnavailablePercentage"],
  });
}

const NodeGroupSpec = oneMaxUnavailable(z.strictObject(NodeGroupFields));

/** Plain http only to this machine (127.0.0.0/8, ::1, localhost): credentials and plans never cross a network unencrypted. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const endpoint = z.url().refine(
  (u) => {
    if (!URL.canParse(u)) return true; // reported by z.url() already
    const url = new URL(u);
    return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
  },
  {
    message:
      "must be an https URL, or http on a loopback address (127.0.0.1, ::1, localhost) for the local emulator",
  },
);

const minutes = (def: number) =>
  z
    .number()
    .positive()
    .max(24 * 60)
    .default(def);

/** How upgrades run: node groups at once, what ERROR insights do, deadlines and polling. */
const UpgradePolicy = z.strictObject({
  /** How many node groups update at the same time. */
  concurrency: z.number().int().min(1).max(50).default(1),
  /** ERROR upgrade-readiness insights: "block" the plan, only "warn", or acknowledge these insight names. */
  insights: z.union([z.literal("block"), z.literal("warn"), z.array(z.string().min(1))]).default("block"),
  /**
   * Hours the control plane runs a new minor before what needs that minor follows: the add-on
   * updates after the last control-plane step and every node group wait for a later run. While
   * they wait, a rollback (EKS allows one within 7 days) stays cheap: nothing but the control plane
   * has to go back. 0 (the default): everything in one run.
   */
  bakeHours: z.number().min(0).max(168).default(0),
  /**
   * Read the cluster's Kubernetes API (nodes, pods, PodDisruptionBudgets; read-only) before node
   * groups roll, while they roll and after: drains a budget would refuse are refused here first.
   */
  kubernetesChecks: z.boolean().default(true),
  /**
   * After the control plane and after each node group (with kubernetesChecks): every Deployment,
   * StatefulSet and DaemonSet back at the ready count it had, and none of their pods newly failing
   * (CrashLoopBackOff, ImagePullBackOff, ...) within deadlines.healthGateMinutes. When not:
   * "pause" the cluster and stop the run (eks-upgrade resume goes on), only "warn", or "off".
   */
  healthGate: z.enum(["off", "warn", "pause"]).default("pause"),
  /** How long one step may take before the run stops waiting (the update itself goes on in AWS). */
  deadlines: z
    .strictObject({
      controlPlaneMinutes: minutes(60),
      addonMinutes: minutes(30),
      nodegroupMinutes: minutes(180),
      /** How long the workloads have to come back after a step (healthGate). */
      healthGateMinutes: minutes(10),
    })
    .prefault({}),
  /** Bounds of the adaptive polling interval. */
  polling: z
    .strictObject({
      minSeconds: z.number().positive().max(600).default(5),
      maxSeconds: z.number().positive().max(3600).default(60),
    })
    .refine((p) => p.minSeconds <= p.maxSeconds, {
      message: "minSeconds must not exceed maxSeconds",
      path: ["minSeconds"],
    })
    .prefault({}),
});

/**
 * The desired spec uses the stack config's names and shape (the config is a superset: it also
 * declares managed clusters), so a finding's field is the key the user edited.
 */
export const DesiredSpecSchema = z.strictObject({
  clusterName: name,
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region like us-east-1"),
  /**
   * Endpoint overrides (the local emulator); the AWS defaults otherwise. https unless on this
   * machine. STS (only asked which account the credentials belong to) defaults to the EKS endpoint
   * when that one is overridden, as the emulator serves both.
   */
  endpoints: z
    .strictObject({ eks: endpoint.optional(), ssm: endpoint.optional(), sts: endpoint.optional() })
    .optional(),
  /** The Kubernetes minor the control plane, add-ons and node groups end on. */
  clusterVersion: minor,
  /** Add-ons by name; installed add-ons not named here follow "default". */
  addons: z.record(name, AddonSpec).default({}),
  /** Node groups by name; node groups not named here follow "latest". Canaries go first, in this order. */
  nodeGroups: z.record(name, NodeGroupSpec).default({}),
  upgrade: UpgradePolicy.prefault({}),
});

/** Schemas the program's stack config shares, so both refuse the same values the same way. */
export const SpecFields = {
  minor,
  name,
  addonVersion,
  endpoint,
  resolveConflicts,
  NodeGroupFields,
  oneMaxUnavailable,
  UpgradePolicy,
};

export type DesiredSpec = z.output<typeof DesiredSpecSchema>;
export type DesiredSpecInput = z.input<typeof DesiredSpecSchema>;
export type AddonPolicy = {
  version: string;
  resolveConflicts?: "OVERWRITE" | "NONE" | "PRESERVE" | undefined;
};
export type NodeGroupPolicy = z.output<typeof NodeGroupSpec>;

export interface SpecIssue {
  field: string;
  message: string;
}

export class SpecError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    super(`invalid upgrade spec: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`);
    this.name = "SpecError";
  }
}

/** Validates a desired spec; throws a SpecError naming every bad field. */
export function parseSpec(input: unknown): DesiredSpec {
  return validated(DesiredSpecSchema, input);
}

const ClusterRefSchema = DesiredSpecSchema.pick({ clusterName: true, region: true, endpoints: true });
export type ClusterRef = z.output<typeof ClusterRefSchema>;

/** Validates just which cluster to talk to, for reads that need no target version (status). */
export function parseClusterRef(input: unknown): ClusterRef {
  return validated(ClusterRefSchema, input);
}

export function validated<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new SpecError(
    result.error.issues.flatMap((i) =>
      // An unknown key is named itself, so a typo points at the typo.
      i.code === "unrecognized_keys"
        ? i.keys.map((k) => ({ field: fieldPath([...i.path, k]), message: "unknown field" }))
        : [{ field: fieldPath(i.path), message: i.message }],
    ),
  );
}

/** The field as users write it: `nodeGroups.general.amiReleaseVersion`, `upgrade.insights[1]`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || "(spec)";
}

/** The add-on policy for a name: the spec's entry, or "default" for installed add-ons not named. */
export function addonPolicy(spec: DesiredSpec, addon: string): AddonPolicy {
  const entry = spec.addons[addon];
  if (entry === undefined) return { version: "default" };
  return typeof entry === "string" ? { version: entry } : entry;
}

export function nodeGroupPolicy(spec: DesiredSpec, nodegroup: string): NodeGroupPolicy {
  return (
    spec.nodeGroups[nodegroup] ?? {
      amiReleaseVersion: "latest",
      force: false,
      drainChecks: "block",
      canary: false,
    }
  );
}

/** Canary node groups first, in the order the spec lists them. */
export function canaryOrder(spec: DesiredSpec): string[] {
  return Object.entries(spec.nodeGroups)
    .filter(([, n]) => n.canary)
    .map(([name]) => name);
}
