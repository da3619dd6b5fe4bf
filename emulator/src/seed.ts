import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { AMI_TYPES } from "./ami-types";
import { SeedError } from "./errors";
import { FaultSchema } from "./faults";

/**
 * The seed: the starting state of the emulator. Documented in emulator/README.md; its JSON Schema
 * (emulator/seed.schema.json) is generated from these definitions by `npm run schema:seed`.
 */

const minor = z.string().regex(/^\d+\.\d+$/, 'must be a Kubernetes minor like "1.31"');
const name = z
  .string()
  .regex(
    /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/,
    "must be 1-100 letters, digits, '-' or '_', starting with a letter or digit",
  );
const isoTime = z.iso.datetime({ offset: true });
const healthIssue = z.strictObject({
  code: z.string().min(1),
  message: z.string(),
  resourceIds: z.array(z.string()).optional(),
});

const AddonSeed = z.union([
  z.string().min(1).describe("the installed version, e.g. v1.19.0-eksbuild.1"),
  z.strictObject({
    version: z.string().min(1),
    status: z
      .enum([
        "CREATING",
        "ACTIVE",
        "CREATE_FAILED",
        "UPDATING",
        "DELETING",
        "DELETE_FAILED",
        "DEGRADED",
        "UPDATE_FAILED",
      ])
      .optional(),
    healthIssues: z.array(healthIssue).optional(),
  }),
]);

const LaunchTemplateSeed = z
  .strictObject({
    name: z.string().min(1).optional(),
    id: z.string().min(1).optional(),
    version: z.string().regex(/^\d+$/, "must be a launch template version number"),
    versions: z
      .record(
        z.string().regex(/^\d+$/),
        z.strictObject({ kubernetesVersion: minor, imageId: z.string().optional() }),
      )
      .optional()
      .describe(
        "known versions of the template and the Kubernetes minor of their AMI; when given, only these are accepted",
      ),
  })
  .refine((lt) => lt.name !== undefined || lt.id !== undefined, { message: "needs a name or an id" });

const NodegroupSeed = z.strictObject({
  name,
  amiType: z.enum(AMI_TYPES).default("AL2023_x86_64_STANDARD"),
  version: minor.optional().describe("defaults to the cluster's version"),
  releaseVersion: z
    .string()
    .min(1)
    .optional()
    .describe("defaults to the newest release for the AMI family and minor"),
  desiredSize: z.number().int().min(0).default(2),
  minSize: z.number().int().min(0).optional(),
  maxSize: z.number().int().min(1).optional(),
  maxUnavailable: z.number().int().min(1).optional(),
  maxUnavailablePercentage: z.number().int().min(1).max(100).optional(),
  updateStrategy: z.enum(["DEFAULT", "MINIMAL"]).optional(),
  status: z
    .enum(["CREATING", "ACTIVE", "UPDATING", "DELETING", "CREATE_FAILED", "DELETE_FAILED", "DEGRADED"])
    .default("ACTIVE"),
  healthIssues: z.array(healthIssue).optional(),
  capacityType: z.enum(["ON_DEMAND", "SPOT", "CAPACITY_BLOCK"]).default("ON_DEMAND"),
  instanceTypes: z.array(z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  launchTemplate: LaunchTemplateSeed.optional(),
  nodeInfo: z
    .strictObject({
      osImage: z.string().min(1).optional(),
      containerRuntimeVersion: z
        .string()
        .regex(/^[a-z]+:\/\/\S+$/, 'must read like "containerd://1.7.27"')
        .optional(),
    })
    .optional()
    .describe(
      "what the node group's nodes report in status.nodeInfo (a custom AMI's image; needs kubernetes: true); by default what its AMI family's images report",
    ),
});

const InsightSeed = z.strictObject({
  id: z.string().min(1).optional(),
  name: z.string().min(1),
  category: z
    .enum(["UPGRADE_READINESS", "MISCONFIGURATION", "ROLLBACK_READINESS"])
    .default("UPGRADE_READINESS"),
  kubernetesVersion: minor,
  status: z.enum(["PASSING", "WARNING", "ERROR", "UNKNOWN"]),
  reason: z.string().optional(),
  description: z.string().optional(),
  recommendation: z.string().optional(),
  statusAfterRefresh: z
    .enum(["PASSING", "WARNING", "ERROR", "UNKNOWN"])
    .optional()
    .describe("the status the next insights refresh finds (the seeded one is stale)"),
  lastRefreshTime: isoTime
    .optional()
    .describe("when EKS last evaluated it (defaults to the start); StartInsightsRefresh renews it"),
  resources: z
    .array(
      z.strictObject({
        kubernetesResourceUri: z.string().optional(),
        arn: z.string().optional(),
        status: z.enum(["PASSING", "WARNING", "ERROR", "UNKNOWN"]).optional(),
      }),
    )
    .optional(),
});

/** A Kubernetes object as `kubectl apply` takes it (a Deployment, a PodDisruptionBudget, a Pod, ...). */
const Workload = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().min(1).optional() }),
});

const ClusterSeed = z.strictObject({
  name,
  version: minor,
  status: z.enum(["CREATING", "ACTIVE", "DELETING", "FAILED", "UPDATING", "PENDING"]).default("ACTIVE"),
  platformVersion: z
    .string()
    .regex(/^eks\.\d+$/)
    .optional(),
  supportType: z.enum(["STANDARD", "EXTENDED"]).default("EXTENDED"),
  autoMode: z
    .boolean()
    .default(false)
    .describe(
      "EKS Auto Mode (computeConfig.enabled): EKS runs the nodes of its node pools and upgrades them after the control plane",
    ),
  lastUpgradedAt: isoTime
    .optional()
    .describe("when the cluster last moved up a minor; opens the 7-day rollback window"),
  healthIssues: z.array(healthIssue).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  addons: z.record(z.string().min(1), AddonSeed).default({}),
  nodegroups: z.array(NodegroupSeed).default([]),
  insights: z.array(InsightSeed).default([]),
  workloads: z
    .array(Workload)
    .default([])
    .describe(
      "Kubernetes objects applied to the cluster's API server at start and on reset (needs kubernetes: true); namespaces they name are created",
    ),
  nodes: z
    .array(
      z.strictObject({
        pool: z
          .enum(["karpenter", "autoMode", "fargate", "selfManaged"])
          .describe(
            "what runs them: a Karpenter NodePool, EKS Auto Mode, a Fargate profile, or the user's own group",
          ),
        name: z.string().min(1).describe("the NodePool's, Fargate profile's or self-managed group's name"),
        kubernetesVersion: minor.describe("the minor their kubelet runs"),
        count: z.number().int().min(1).max(50).default(1),
      }),
    )
    .default([])
    .describe(
      "nodes outside managed node groups (needs kubernetes: true), labelled as Karpenter, Auto Mode, Fargate or eksctl's self-managed nodes are; EKS's API does not see them and nothing moves them",
    ),
  workloadFiles: z
    .array(z.string().min(1))
    .optional()
    .describe(
      "manifest files (YAML documents, or a JSON list), relative to the seed file, whose objects join workloads; read when the seed is a file",
    ),
});

const CatalogSeed = z.strictObject({
  kubernetesVersions: z
    .array(
      z.strictObject({
        version: minor,
        releasedOn: z.iso.date(),
        endOfStandardSupport: z.iso.date(),
        endOfExtendedSupport: z.iso.date(),
        platformVersions: z.array(z.string().regex(/^eks\.\d+$/)).optional(),
      }),
    )
    .optional(),
  addons: z
    .record(
      z.string().min(1),
      z.array(
        z.strictObject({
          version: z.string().regex(/^v\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/, "must look like v1.19.0-eksbuild.1"),
          compatibleWith: z.array(minor),
          defaultFor: z.array(minor).optional(),
        }),
      ),
    )
    .optional(),
  amiReleases: z
    .partialRecord(
      z.enum(["AL2", "AL2023", "BOTTLEROCKET", "WINDOWS"]),
      z.record(minor, z.array(z.string().min(1))),
    )
    .optional(),
  oneMinorAtATime: z.array(z.string()).optional(),
});

const TimingSeed = z.strictObject({
  controlPlaneMinutes: z.number().positive().optional(),
  controlPlaneSettleMinutes: z.number().min(0).optional(),
  addonMinutes: z.number().positive().optional(),
  addonMinutesByName: z.record(z.string(), z.number().positive()).optional(),
  nodegroupSetupMinutes: z.number().min(0).optional(),
  nodeLaunchMinutes: z.number().min(0).optional(),
  drainMinutes: z.number().min(0).optional(),
  cordonWaitMinutes: z.number().min(0).optional(),
  nodegroupScaleDownMinutes: z.number().min(0).optional(),
  drainTimeoutMinutes: z.number().positive().optional(),
  nodegroupConfigMinutes: z.number().positive().optional(),
  insightsRefreshMinutes: z.number().positive().optional(),
});

export const SeedSchema = z
  .strictObject({
    $schema: z.string().optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region like us-east-1")
      .default("us-east-1"),
    accountId: z
      .string()
      .regex(/^\d{12}$/, "must be 12 digits")
      .default("111122223333"),
    timeScale: z
      .number()
      .positive()
      .max(1000)
      .default(1)
      .describe("real time per simulated time; 0.001 runs 1000x faster"),
    startTime: isoTime.optional().describe("simulated time at start; defaults to now"),
    randomSeed: z.number().int().default(1).describe("seed of the generator behind rate-based faults"),
    kubernetes: z
      .boolean()
      .default(false)
      .describe(
        "back every cluster with a real Kubernetes control plane on 127.0.0.1 (npm run kubernetes:install): its endpoint and CA in DescribeCluster, its nodes as Node objects, node group updates drained through the Eviction API",
      ),
    timing: TimingSeed.optional(),
    catalog: CatalogSeed.optional(),
    faults: z.array(FaultSchema).default([]),
    clusters: z.array(ClusterSeed).default([]),
  })
  .describe("eks-upgrade emulator seed");

export type Seed = z.output<typeof SeedSchema>;
export type SeedInput = z.input<typeof SeedSchema>;
export type ClusterSeed = z.output<typeof ClusterSeed>;
export type NodegroupSeed = z.output<typeof NodegroupSeed>;
export type InsightSeed = z.output<typeof InsightSeed>;

/** Validates a seed; the error names every bad field by its path, e.g. `clusters[0].nodegroups[1].amiType`. */
export function parseSeed(input: unknown): Seed {
  const result = SeedSchema.safeParse(input);
  if (!result.success) throw new SeedError(`invalid seed: ${formatIssues(result.error.issues)}`);
  const unread = result.data.clusters.findIndex((c) => c.workloadFiles);
  if (unread >= 0)
    throw new SeedError(
      `invalid seed: clusters[${unread}].workloadFiles: files are read from a seed file only (relative to it); give the objects in workloads`,
    );
  return result.data;
}

export function loadSeedFile(file: string): Seed {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new SeedError(`cannot read seed ${file}: ${(e as Error).message}`);
  }
  return parseSeed(withWorkloadFiles(raw, dirname(file)));
}

/** Each cluster's workloadFiles read (relative to the seed's folder) into its workloads. */
function withWorkloadFiles(raw: unknown, folder: string): unknown {
  const clusters = (raw as { clusters?: unknown })?.clusters;
  if (!Array.isArray(clusters)) return raw;
  return {
    ...(raw as object),
    clusters: clusters.map((c: { workloads?: unknown[]; workloadFiles?: unknown }, i) => {
      if (!Array.isArray(c?.workloadFiles)) return c;
      const { workloadFiles, ...rest } = c;
      const objects = workloadFiles.flatMap((f: unknown, j) => {
        const at = `clusters[${i}].workloadFiles[${j}]`;
        try {
          const docs = parseAllDocuments(readFileSync(resolve(folder, String(f)), "utf8"));
          return docs.flatMap((d) => {
            if (d.errors.length) throw new Error(d.errors[0]?.message);
            const value: unknown = d.toJS();
            return value === null ? [] : Array.isArray(value) ? value : [value];
          });
        } catch (e) {
          throw new SeedError(`invalid seed: ${at}: cannot read ${String(f)}: ${(e as Error).message}`);
        }
      });
      return { ...rest, workloads: [...(c.workloads ?? []), ...objects] };
    }),
  };
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join("; ");
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || "(root)";
}

export function seedJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(SeedSchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
}
