import type { Step } from "../model";
import type { KubernetesReader } from "./access";
import { drainBlockers, nodesBehind, strandedPods } from "./rollout-view";

/**
 * The execute stage's eyes on the cluster while node groups roll (upgrade.kubernetesChecks): the
 * evictions budgets refuse now, and after a node group's update whether its nodes and pods
 * arrived. Reads that fail say nothing (EKS goes on either way; the plan warned already).
 */
export class RolloutWatch {
  /** The cluster's API server, shared with the run's other readers (access.ts lazyReader). */
  constructor(private readonly kubernetes: () => Promise<KubernetesReader | undefined>) {}

  /**
   * The pods budgets keep from being evicted now; undefined when the cluster cannot be read. Each
   * poll asks only for the group's nodes; while one of them is draining, for its pods and the budgets.
   */
  async blockers(nodegroup: string): Promise<string[] | undefined> {
    const reader = await this.kubernetes();
    if (!reader) return undefined;
    try {
      const nodes = await reader.nodegroupNodes(nodegroup);
      if (!nodes.some((n) => n.draining)) return [];
      return drainBlockers(await reader.draining(nodes), nodegroup);
    } catch {
      return undefined;
    }
  }

  /**
   * After a node group's update: every node of the group Ready at the target's kubelet minor and
   * no replacement pod left Pending. Pods may take a few polls to land: asked `attempts` times,
   * `pause` between. Returns the problem, or undefined.
   */
  async verify(
    step: Step,
    startedAt: number,
    pause: () => Promise<void>,
    attempts = 5,
  ): Promise<{ code: string; message: string } | undefined> {
    if (step.request.kind !== "nodegroup") return undefined;
    const reader = await this.kubernetes();
    if (!reader) return undefined;
    const minor = step.request.version;
    let problem: { code: string; message: string } | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await pause();
      let k;
      try {
        k = await reader.read();
      } catch {
        return undefined;
      }
      const behind = nodesBehind(k, step.target, minor);
      const stranded = strandedPods(k, startedAt);
      problem = behind.length
        ? {
            code: "NODES_NOT_AT_TARGET",
            message: `EKS reports the update Successful, but node${behind.length === 1 ? "" : "s"} ${behind.join(", ")} ${behind.length === 1 ? "is" : "are"} not Ready at kubelet ${minor ?? "the target"}`,
          }
        : stranded.length
          ? {
              code: "PODS_PENDING",
              message: `pods evicted from node group ${step.target} did not come back: ${stranded.join(", ")} ${stranded.length === 1 ? "is" : "are"} Pending with no node`,
            }
          : undefined;
      if (!problem) return undefined;
    }
    return problem;
  }
}
