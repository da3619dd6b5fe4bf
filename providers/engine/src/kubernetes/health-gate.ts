import type { ObservedWorkloads, Step } from "../model";
import type { DesiredSpec } from "../spec";
import type { KubernetesReader } from "./access";
import { describeUnhealthy, type UnhealthyWorkload, unhealthyWorkloads } from "./workload-health";

/**
 * The workload health gate's reads (upgrade.healthGate): the workloads before a control-plane or
 * node-group step, and after it until nothing is worse than before or the deadline passes. The
 * judgement is workload-health.ts's; what a failure does is the run's (execute.ts).
 */

/** The steps after which workloads may not come back: the API server, and the nodes they run on. */
const GATED: ReadonlySet<Step["kind"]> = new Set(["controlPlane", "nodegroup"]);

/**
 * Kubernetes' controllers run in real time whatever the emulator's time scale makes of the
 * deadline: a crash-loop is judged after this long at least (against AWS the deadline is minutes).
 */
const REAL_FLOOR_MS = 5_000;
const REAL_POLL_FLOOR_MS = 250;

export interface GateResult {
  /** What is still worse than before the step at the deadline (empty: healthy). */
  unhealthy: UnhealthyWorkload[];
  /** Why the workloads could not be read after the step (then nothing is judged). */
  unread?: string | undefined;
}

export class HealthGate {
  constructor(
    /** The cluster's API server, shared with the run's other readers (access.ts lazyReader). */
    private readonly kubernetes: () => Promise<KubernetesReader | undefined>,
    private readonly spec: DesiredSpec,
    private readonly scale: number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /**
   * The workloads before the step; undefined when the gate is off, the step is not gated or the
   * cluster cannot be read (the plan warned of that already: EKSUP114).
   */
  async before(step: Step): Promise<ObservedWorkloads | undefined> {
    if (this.spec.upgrade.healthGate === "off" || !GATED.has(step.kind)) return undefined;
    const reader = await this.kubernetes().catch(() => undefined);
    return reader?.workloads().catch(() => undefined);
  }

  /**
   * Reads the workloads until nothing is worse than `before` or the deadline passes; `waiting`
   * hears what is not back yet each time that changes.
   */
  async after(before: ObservedWorkloads, waiting: (notBack: string[]) => void): Promise<GateResult> {
    const reader = await this.kubernetes();
    if (!reader) return { unhealthy: [], unread: "the cluster's API server is not known" };
    const { healthGateMinutes } = this.spec.upgrade.deadlines;
    const deadline = Date.now() + Math.max(healthGateMinutes * 60_000 * this.scale, REAL_FLOOR_MS);
    const poll = Math.max(this.spec.upgrade.polling.minSeconds * 1000 * this.scale, REAL_POLL_FLOOR_MS);
    let last: GateResult = { unhealthy: [], unread: "no read answered" };
    let shown = "";
    for (;;) {
      try {
        const unhealthy = unhealthyWorkloads(before, await reader.workloads());
        if (!unhealthy.length) return { unhealthy };
        last = { unhealthy };
        const lines = unhealthy.map(describeUnhealthy);
        if (lines.join("\n") !== shown) {
          shown = lines.join("\n");
          waiting(lines);
        }
      } catch (e) {
        // A read that fails is tried again; only a gate that never read says so.
        if (last.unread) last = { unhealthy: [], unread: (e as Error).message };
      }
      if (Date.now() >= deadline) return last;
      await this.sleep(poll);
    }
  }
}

/**
 * The pause reason a failed gate leaves on the cluster (an EKS tag value: at most 256 characters,
 * no commas): "workloads down after nodegroup:general:1.35: Deployment default/web 0 of 3 ready and
 * 2 more".
 */
export function gateReason(step: Step, unhealthy: UnhealthyWorkload[]): string {
  const head = `workloads down after ${step.id}: `;
  const parts = unhealthy.map((u) => `${u.workload} ${u.ready} of ${u.wanted} ready`);
  for (let n = parts.length; n > 0; n--) {
    const rest = parts.length - n;
    const text = head + parts.slice(0, n).join(" and ") + (rest ? ` and ${rest} more` : "");
    if (text.length <= 256) return text;
  }
  return `${head}${parts.length} workloads`.slice(0, 256);
}
