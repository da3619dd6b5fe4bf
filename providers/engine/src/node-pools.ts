import { key } from "./keys";
import { kubeletMinor } from "./kubernetes/rollout-view";
import type { NodePool, ObservedKubernetes } from "./model";
import { allowedKubeletSkew, compareMinor, minorDistance } from "./versions";

/**
 * The nodes this tool does not move: Karpenter's, Auto Mode's, Fargate's and self-managed ones.
 * Their kubelets count for the skew policy like any other, but only what manages them can
 * replace them, so a control-plane step that would leave them too far behind is refused.
 */

export interface UnmanagedPool {
  pool: Exclude<NodePool, { kind: "nodegroup" }>;
  /** Node names, sorted. */
  nodes: string[];
  /** How many nodes run each kubelet version, oldest first. */
  kubelets: [version: string, count: number][];
  /** The oldest kubelet minor among them ("1.32"). */
  oldest: string;
}

const WHAT: Record<UnmanagedPool["pool"]["kind"], (name: string) => string> = {
  karpenter: (name) => `Karpenter NodePool ${name}`,
  autoMode: (name) => `EKS Auto Mode node pool ${name}`,
  fargate: (name) => `Fargate profile ${name}`,
  selfManaged: (name) => (name === "self-managed" ? "self-managed nodes" : `self-managed node group ${name}`),
};

/** "Karpenter NodePool default", "Fargate profile batch", "self-managed nodes". */
export function describePool(pool: UnmanagedPool["pool"]): string {
  return WHAT[pool.kind](pool.name);
}

/** How the pool's nodes reach a newer kubelet: by what manages them, never by this tool. */
function howToMove(pool: UnmanagedPool["pool"], minor: string): string {
  switch (pool.kind) {
    case "karpenter":
      return `point the NodePool's EC2NodeClass at an AMI of Kubernetes ${minor} or newer (Karpenter's drift then replaces the nodes, within the NodePool's disruption budgets)`;
    case "autoMode":
      return `let EKS Auto Mode replace them (it does after each control-plane upgrade, within the node pool's disruption budgets; kubectl get nodes shows when)`;
    case "fargate":
      return `restart their pods (kubectl rollout restart): Fargate starts them on the control plane's kubelet`;
    case "selfManaged":
      return `roll them to an AMI of Kubernetes ${minor} or newer with your own process (a new launch template version, then an instance refresh)`;
  }
}

/** Each pool of nodes outside managed node groups, from the API server's Node objects. */
export function unmanagedPools(k: ObservedKubernetes): UnmanagedPool[] {
  const pools = new Map<string, UnmanagedPool>();
  for (const node of k.nodes) {
    const pool = node.pool;
    if (!pool || pool.kind === "nodegroup") continue;
    const id = `${pool.kind}/${pool.name}`;
    const minor = kubeletMinor(node.kubeletVersion);
    const entry = pools.get(id) ?? { pool, nodes: [], kubelets: [], oldest: minor ?? "" };
    entry.nodes.push(node.name);
    const seen = entry.kubelets.find(([v]) => v === node.kubeletVersion);
    if (seen) seen[1]++;
    else entry.kubelets.push([node.kubeletVersion, 1]);
    if (minor && (!entry.oldest || compareMinor(minor, entry.oldest) < 0)) entry.oldest = minor;
    pools.set(id, entry);
  }
  return [...pools.values()]
    .map((p) => ({
      ...p,
      nodes: p.nodes.sort(),
      kubelets: p.kubelets.sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true })),
    }))
    .sort((a, b) => describePool(a.pool).localeCompare(describePool(b.pool)));
}

export interface SkewFinding {
  message: string;
  remedy: string;
}

/**
 * For each pool whose oldest kubelet the control plane's minors (`path`, in order) would leave
 * beyond the skew policy: the first such minor, the kubelets, what moves them and how far the
 * plan may go meanwhile.
 */
export function poolsBeyondSkew(pools: UnmanagedPool[], path: string[]): SkewFinding[] {
  const out: SkewFinding[] = [];
  for (const p of pools) {
    if (!p.oldest) continue;
    const allowed = allowedKubeletSkew(p.oldest);
    const beyond = path.find((m) => minorDistance(p.oldest, m) > allowed);
    if (!beyond) continue;
    const furthest = path.filter((m) => minorDistance(p.oldest, m) <= allowed).at(-1);
    const kubelets = p.kubelets.map(([v, n]) => `${n} × kubelet ${v}`).join(", ");
    const newest = newestAllowedAfter(beyond, allowed);
    out.push({
      message: `${describePool(p.pool)} (${p.nodes.length} node${p.nodes.length === 1 ? "" : "s"}: ${kubelets}) would be ${minorDistance(p.oldest, beyond)} minors behind the control plane at ${beyond}; the kubelet skew policy allows ${allowed}, and this tool does not move these nodes`,
      remedy: `First ${howToMove(p.pool, newest)}; then run again.${furthest ? ` Until then the plan may go as far as ${key("clusterVersion", furthest)}.` : ""}`,
    });
  }
  return out;
}

/** The oldest kubelet minor a control plane at `minor` accepts (`allowed` minors behind). */
function newestAllowedAfter(minor: string, allowed: number): string {
  const [major, m] = minor.split(".").map(Number);
  return `${major}.${(m ?? 0) - allowed}`;
}
