import { z } from "zod";

/**
 * Fault injection. Request faults (throttle, serverError, accessDenied, latency) act on incoming calls chosen by
 * operation, for the next `count` calls, for a fraction `rate` of calls, and/or for `forSeconds` of
 * simulated time. Update faults make the next update of a target fail with a real EKS error code.
 * `externalUpdate` starts an update as if another tool had (the console, a colleague, eksctl).
 * `crashLoop` (a seed with Kubernetes) makes the pods on the nodes a node group's next version
 * update launches keep failing, until the faults are cleared: then they restart healthy.
 */

const selector = {
  operations: z.array(z.string().min(1)).optional().describe("operation names; all operations when absent"),
  count: z.number().int().positive().optional().describe("applies to this many matching calls, then expires"),
  rate: z.number().gt(0).max(1).optional().describe("fraction of matching calls affected (seeded random)"),
  forSeconds: z
    .number()
    .positive()
    .optional()
    .describe("expires this many simulated seconds after injection"),
};

const ERROR_CODES = [
  "SubnetNotFound",
  "SecurityGroupNotFound",
  "EniLimitReached",
  "IpNotAvailable",
  "AccessDenied",
  "OperationNotPermitted",
  "VpcIdNotFound",
  "Unknown",
  "NodeCreationFailure",
  "PodEvictionFailure",
  "InsufficientFreeAddresses",
  "ClusterUnreachable",
  "InsufficientNumberOfReplicas",
  "ConfigurationConflict",
  "AdmissionRequestDenied",
  "UnsupportedAddonModification",
  "K8sResourceNotFound",
] as const;

export const FaultSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("throttle"),
    errorType: z.enum(["ThrottlingException", "TooManyRequestsException"]).default("ThrottlingException"),
    ...selector,
  }),
  z.strictObject({
    kind: z.literal("serverError"),
    status: z.union([z.literal(500), z.literal(503)]).default(500),
    ...selector,
  }),
  z.strictObject({
    kind: z.literal("accessDenied"),
    ...selector,
  }),
  z.strictObject({
    kind: z.literal("latency"),
    ms: z.number().int().positive().max(60_000).describe("real milliseconds added before answering"),
    ...selector,
  }),
  z.strictObject({
    kind: z.literal("updateFailure"),
    cluster: z.string().min(1),
    nodegroup: z.string().min(1).optional(),
    addon: z.string().min(1).optional(),
    errorCode: z.enum(ERROR_CODES),
    errorMessage: z.string().optional(),
    unlessForce: z
      .boolean()
      .default(false)
      .describe("a forced update succeeds (as force does for PodEvictionFailure)"),
    times: z.number().int().positive().default(1).describe("how many updates of the target fail"),
  }),
  z.strictObject({
    kind: z.literal("crashLoop"),
    cluster: z.string().min(1),
    nodegroup: z.string().min(1).describe("the pods on the nodes its next version update launches fail"),
    reason: z
      .enum(["CrashLoopBackOff", "ImagePullBackOff", "CreateContainerError"])
      .default("CrashLoopBackOff")
      .describe("the containers' waiting reason"),
  }),
  z.strictObject({
    kind: z.literal("externalUpdate"),
    cluster: z.string().min(1),
    nodegroup: z.string().min(1).optional(),
    addon: z.string().min(1).optional(),
    version: z.string().optional(),
    releaseVersion: z.string().optional(),
    addonVersion: z.string().optional(),
  }),
]);

export type Fault = z.output<typeof FaultSchema>;
export type FaultInput = z.input<typeof FaultSchema>;
export type RequestFault = Extract<Fault, { kind: "throttle" | "serverError" | "accessDenied" | "latency" }>;
export type UpdateFailureFault = Extract<Fault, { kind: "updateFailure" }>;
export type CrashLoopFault = Extract<Fault, { kind: "crashLoop" }>;

interface ActiveRequestFault {
  id: number;
  fault: RequestFault;
  remaining: number;
  expiresAt: number;
}

interface ActiveUpdateFault {
  id: number;
  fault: UpdateFailureFault;
  remaining: number;
}

export interface RequestFaultEffect {
  delayMs: number;
  /** The fault that answers the call instead of the service, if any. */
  error?: Extract<Fault, { kind: "throttle" | "serverError" | "accessDenied" }>;
}

export interface UpdateTarget {
  cluster: string;
  nodegroup?: string | undefined;
  addon?: string | undefined;
}

export class FaultSet {
  private nextId = 1;
  private requestFaults: ActiveRequestFault[] = [];
  private updateFaults: ActiveUpdateFault[] = [];
  private crashLoops: { id: number; fault: CrashLoopFault }[] = [];
  private rngState: number;

  constructor(randomSeed: number) {
    this.rngState = randomSeed >>> 0 || 1;
  }

  add(fault: Exclude<Fault, { kind: "externalUpdate" }>, now: number): number {
    const id = this.nextId++;
    if (fault.kind === "updateFailure") {
      this.updateFaults.push({ id, fault, remaining: fault.times });
    } else if (fault.kind === "crashLoop") {
      this.crashLoops.push({ id, fault });
    } else {
      this.requestFaults.push({
        id,
        fault,
        remaining: fault.count ?? Number.POSITIVE_INFINITY,
        expiresAt: fault.forSeconds ? now + fault.forSeconds * 1000 : Number.POSITIVE_INFINITY,
      });
    }
    return id;
  }

  clear(): void {
    this.requestFaults = [];
    this.updateFaults = [];
    this.crashLoops = [];
  }

  list(): { id: number; fault: Fault; remaining: number }[] {
    return [
      ...[...this.requestFaults, ...this.updateFaults].map(({ id, fault, remaining }) => ({
        id,
        fault,
        remaining,
      })),
      // Active until the faults are cleared.
      ...this.crashLoops.map(({ id, fault }) => ({ id, fault, remaining: Number.POSITIVE_INFINITY })),
    ];
  }

  /** The crash-loop planted on a node group's new nodes, while it lasts. */
  crashLoop(cluster: string, nodegroup: string): CrashLoopFault | undefined {
    return this.crashLoops.find((c) => c.fault.cluster === cluster && c.fault.nodegroup === nodegroup)?.fault;
  }

  /** Decides what happens to one incoming call. Each matching fault is consumed once per call. */
  onRequest(operation: string, now: number): RequestFaultEffect {
    const effect: RequestFaultEffect = { delayMs: 0 };
    for (const f of this.requestFaults) {
      if (f.expiresAt <= now || f.remaining <= 0) continue;
      if (f.fault.operations && !f.fault.operations.includes(operation)) continue;
      if (f.fault.rate !== undefined && this.random() >= f.fault.rate) continue;
      if (f.fault.kind === "latency") {
        f.remaining--;
        effect.delayMs += f.fault.ms;
      } else if (!effect.error) {
        f.remaining--;
        effect.error = f.fault;
      }
    }
    this.requestFaults = this.requestFaults.filter((f) => f.remaining > 0 && f.expiresAt > now);
    return effect;
  }

  /** The failure planned for an update that starts now on this target, if any (consumes it). */
  takeUpdateFailure(target: UpdateTarget, force: boolean): UpdateFailureFault | undefined {
    const match = this.updateFaults.find(
      ({ fault, remaining }) =>
        remaining > 0 &&
        fault.cluster === target.cluster &&
        fault.nodegroup === target.nodegroup &&
        fault.addon === target.addon,
    );
    if (!match) return undefined;
    if (match.fault.unlessForce && force) return undefined;
    match.remaining--;
    this.updateFaults = this.updateFaults.filter((f) => f.remaining > 0);
    return match.fault;
  }

  /** mulberry32: small, fast and reproducible from the seed. */
  private random(): number {
    this.rngState = (this.rngState + 0x6d2b79f5) >>> 0;
    let t = this.rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
