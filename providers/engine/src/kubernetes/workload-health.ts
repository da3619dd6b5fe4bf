import { selects } from "../drain-checks";
import type { ObservedPod, ObservedWorkload, ObservedWorkloads } from "../model";

/**
 * The health gate's judgement, pure: did the workloads come back after a step? Read before the
 * step and again after it; what was already broken before does not fail the gate, what broke
 * during it does.
 */

/**
 * Container waiting reasons that mean the kubelet keeps failing to run it (not a slow start): the
 * ones `kubectl get pods` shows in STATUS for a pod that will not come up by itself.
 */
export const FAILING_REASONS: readonly string[] = [
  "CrashLoopBackOff",
  "ImagePullBackOff",
  "ErrImagePull",
  "CreateContainerError",
  "CreateContainerConfigError",
  "RunContainerError",
];

export interface UnhealthyWorkload {
  /** "Deployment default/web", or "Pod default/batch-1" for a pod no workload owns. */
  workload: string;
  ready: number;
  /** The ready count it must be back at: what it had before, at most what it wants now. */
  wanted: number;
  /** Its pods that keep failing, "default/web-5d8f-x2k9q CrashLoopBackOff". */
  failing: string[];
}

const id = (w: Pick<ObservedWorkload, "kind" | "namespace" | "name">) => `${w.kind} ${w.namespace}/${w.name}`;
const podsOf = (w: ObservedWorkload, pods: ObservedPod[]) =>
  pods.filter((p) => p.namespace === w.namespace && selects(w.selector, p.labels));
const failingLine = (p: ObservedPod) => `${p.namespace}/${p.name} ${p.failing}`;

/**
 * What is worse after the step than before it:
 * - a workload below the ready count it had (at most its desired count now: a DaemonSet follows
 *   the nodes, a scaled-down Deployment wants fewer);
 * - a workload whose pods keep failing (CrashLoopBackOff, ...) when none of its pods did before;
 * - a pod no workload owns that ran before and keeps failing now.
 * Workloads created during the step are not judged: nothing is known of them before.
 */
export function unhealthyWorkloads(before: ObservedWorkloads, after: ObservedWorkloads): UnhealthyWorkload[] {
  const earlier = new Map(before.workloads.map((w) => [id(w), w]));
  const out: UnhealthyWorkload[] = [];
  const owned = new Set<ObservedPod>();
  for (const w of after.workloads) {
    const pods = podsOf(w, after.pods);
    pods.forEach((p) => owned.add(p));
    const was = earlier.get(id(w));
    if (!was) continue;
    const wanted = Math.min(was.ready, w.desired);
    const failedBefore = podsOf(was, before.pods).some((p) => p.failing);
    const failing = failedBefore ? [] : pods.filter((p) => p.failing).map(failingLine);
    if (w.ready < wanted || failing.length) out.push({ workload: id(w), ready: w.ready, wanted, failing });
  }
  const ranBefore = new Set(
    before.pods.filter((p) => !p.failing && p.phase === "Running").map((p) => `${p.namespace}/${p.name}`),
  );
  for (const p of after.pods) {
    if (owned.has(p) || !p.failing || !ranBefore.has(`${p.namespace}/${p.name}`)) continue;
    out.push({ workload: `Pod ${p.namespace}/${p.name}`, ready: 0, wanted: 1, failing: [failingLine(p)] });
  }
  return out.sort((a, b) => a.workload.localeCompare(b.workload));
}

/** "Deployment default/web: 1 of 3 ready; failing: default/web-x CrashLoopBackOff" */
export function describeUnhealthy(u: UnhealthyWorkload): string {
  const failing = u.failing.length ? `; failing: ${u.failing.join(", ")}` : "";
  return `${u.workload}: ${u.ready} of ${u.wanted} ready${failing}`;
}
