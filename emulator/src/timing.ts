import { MINUTE } from "./clock";

/**
 * How long updates take, in simulated minutes (the clock's timeScale turns them into real time).
 * Figures follow the EKS guides: a control-plane minor takes roughly 8–15 minutes; an add-on a
 * minute or two; a managed node group goes through setup, scale up, one drain batch of
 * `maxUnavailable` nodes after another (drain, cordon, 60 s wait, terminate) and scale down.
 */
export interface TimingModel {
  controlPlaneMinutes: number;
  /** The cluster shows ACTIVE this long before its update reports Successful (a real EKS trap). */
  controlPlaneSettleMinutes: number;
  addonMinutes: number;
  /** Per add-on overrides of `addonMinutes`. */
  addonMinutesByName: Record<string, number>;
  nodegroupSetupMinutes: number;
  /** Time for new nodes to launch and become Ready (in parallel). */
  nodeLaunchMinutes: number;
  /** Evicting the pods of one batch of nodes. */
  drainMinutes: number;
  /** Cordoned nodes wait 60 s before termination. */
  cordonWaitMinutes: number;
  nodegroupScaleDownMinutes: number;
  /** Pods that do not leave within this time fail the update with PodEvictionFailure unless forced. */
  drainTimeoutMinutes: number;
  nodegroupConfigMinutes: number;
  /** StartInsightsRefresh until DescribeInsightsRefresh reports COMPLETED. */
  insightsRefreshMinutes: number;
}

export const DEFAULT_TIMING: TimingModel = {
  controlPlaneMinutes: 10,
  controlPlaneSettleMinutes: 0.5,
  addonMinutes: 1.5,
  addonMinutesByName: { "vpc-cni": 2, coredns: 1, "kube-proxy": 1.5 },
  nodegroupSetupMinutes: 1,
  nodeLaunchMinutes: 3,
  drainMinutes: 1.5,
  cordonWaitMinutes: 1,
  nodegroupScaleDownMinutes: 1,
  drainTimeoutMinutes: 15,
  nodegroupConfigMinutes: 1,
  insightsRefreshMinutes: 2,
};

export interface NodegroupShape {
  desiredSize: number;
  maxUnavailable?: number | undefined;
  maxUnavailablePercentage?: number | undefined;
  updateStrategy?: "DEFAULT" | "MINIMAL" | undefined;
}

export interface NodegroupPhases {
  setupMs: number;
  scaleUpMs: number;
  batches: number;
  perBatchMs: number;
  scaleDownMs: number;
  totalMs: number;
}

/** Nodes replaced at once: maxUnavailable, or the percentage of the desired size (at least 1). */
export function parallelism(ng: NodegroupShape): number {
  const byCount = ng.maxUnavailable;
  const byPct = ng.maxUnavailablePercentage
    ? Math.max(1, Math.floor((ng.desiredSize * ng.maxUnavailablePercentage) / 100))
    : undefined;
  return Math.max(1, byCount ?? byPct ?? 1);
}

export class Timing {
  constructor(readonly model: TimingModel = DEFAULT_TIMING) {}

  controlPlaneMs(): number {
    return this.model.controlPlaneMinutes * MINUTE;
  }

  controlPlaneSettleMs(): number {
    return Math.min(this.model.controlPlaneSettleMinutes, this.model.controlPlaneMinutes) * MINUTE;
  }

  addonMs(name: string): number {
    return (this.model.addonMinutesByName[name] ?? this.model.addonMinutes) * MINUTE;
  }

  insightsRefreshMs(): number {
    return this.model.insightsRefreshMinutes * MINUTE;
  }

  nodegroupConfigMs(): number {
    return this.model.nodegroupConfigMinutes * MINUTE;
  }

  nodegroupPhases(ng: NodegroupShape): NodegroupPhases {
    const m = this.model;
    const minimal = ng.updateStrategy === "MINIMAL";
    const batches = Math.ceil(ng.desiredSize / Math.min(parallelism(ng), Math.max(1, ng.desiredSize)));
    const setupMs = m.nodegroupSetupMinutes * MINUTE;
    // MINIMAL removes old nodes before adding new ones: no surge, but each batch waits for its replacements.
    const scaleUpMs = minimal || ng.desiredSize === 0 ? 0 : m.nodeLaunchMinutes * MINUTE;
    const perBatchMs = (m.drainMinutes + m.cordonWaitMinutes + (minimal ? m.nodeLaunchMinutes : 0)) * MINUTE;
    const scaleDownMs = m.nodegroupScaleDownMinutes * MINUTE;
    return {
      setupMs,
      scaleUpMs,
      batches,
      perBatchMs,
      scaleDownMs,
      totalMs: setupMs + scaleUpMs + batches * perBatchMs + scaleDownMs,
    };
  }

  /** When, after its start, a node group update fails with this error code. */
  nodegroupFailureAfterMs(ng: NodegroupShape, errorCode: string): number {
    const p = this.nodegroupPhases(ng);
    if (errorCode === "NodeCreationFailure")
      return p.setupMs + Math.max(p.scaleUpMs, this.model.nodeLaunchMinutes * MINUTE);
    if (errorCode === "PodEvictionFailure")
      return p.setupMs + p.scaleUpMs + this.model.drainTimeoutMinutes * MINUTE;
    return p.totalMs / 2;
  }
}
