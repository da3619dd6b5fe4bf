import { evictable, selects } from "../drain-checks";
import type { ObservedKubernetes } from "../model";

/**
 * What a node group's rollout looks like from the cluster, while it runs and after: pure
 * readings of the nodes, pods and budgets the engine listed.
 */

/**
 * The pods EKS is evicting in vain: on the group's nodes that carry EKS's drain taint, guarded by
 * a budget that allows no disruption now. One line each: "ns/pod (PodDisruptionBudget ns/b
 * allows no disruption: 1 healthy, 1 needed)".
 */
export function drainBlockers(k: ObservedKubernetes, nodegroup: string): string[] {
  const draining = new Set(k.nodes.filter((n) => n.nodegroup === nodegroup && n.draining).map((n) => n.name));
  const out: string[] = [];
  for (const pod of k.pods) {
    if (pod.node === undefined || !draining.has(pod.node) || !evictable(pod)) continue;
    const budget = k.budgets.find(
      (b) => b.namespace === pod.namespace && b.disruptionsAllowed <= 0 && selects(b.selector, pod.labels),
    );
    if (budget)
      out.push(
        `${pod.namespace}/${pod.name} (PodDisruptionBudget ${budget.namespace}/${budget.name} allows no disruption: ${budget.currentHealthy} healthy, ${budget.desiredHealthy} needed)`,
      );
  }
  return out.sort();
}

/** After the update: every node of the group Ready, at the kubelet minor of the target. */
export function nodesBehind(k: ObservedKubernetes, nodegroup: string, minor: string | undefined): string[] {
  return k.nodes
    .filter((n) => n.nodegroup === nodegroup)
    .filter((n) => !n.ready || (minor !== undefined && kubeletMinor(n.kubeletVersion) !== minor))
    .map((n) => `${n.name} (${n.ready ? "Ready" : "not Ready"}, kubelet ${n.kubeletVersion || "unknown"})`)
    .sort();
}

/**
 * Pods created since the update started (the replacements of evicted ones) that no node took.
 * Kubernetes keeps creation times to the second: `since` is compared at that precision.
 */
export function strandedPods(k: ObservedKubernetes, since: number): string[] {
  const from = Math.floor(since / 1000) * 1000;
  return k.pods
    .filter((p) => p.phase === "Pending" && p.node === undefined && p.createdAt >= from)
    .map((p) => `${p.namespace}/${p.name}`)
    .sort();
}

/** "v1.35.8-eks-1a2b3c4" -> "1.35" */
export function kubeletMinor(version: string): string | undefined {
  return /^v?(\d+\.\d+)/.exec(version)?.[1];
}
