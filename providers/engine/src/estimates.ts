import type { ObservedNodegroup, Plan, Step, StepRequest } from "./model";

/**
 * Rough durations of EKS updates, in minutes, from the EKS guides: a control-plane minor takes
 * 8–15 minutes, an add-on a minute or two, a managed node group setup + scale up + one drain batch
 * of maxUnavailable nodes after another + scale down. Used for the plan's estimate and to pace polling.
 */
export function estimateMinutes(request: StepRequest, nodegroup?: ObservedNodegroup): number {
  switch (request.kind) {
    case "controlPlane":
      return 10;
    case "addon":
      return 2;
    case "nodegroupConfig":
      return 1;
    case "nodegroup": {
      const size = nodegroup?.desiredSize ?? 2;
      const parallel = Math.max(
        1,
        nodegroup?.maxUnavailable ??
          (nodegroup?.maxUnavailablePercentage
            ? Math.floor((size * nodegroup.maxUnavailablePercentage) / 100)
            : 1),
      );
      // MINIMAL adds no surge: each batch waits for its replacement nodes instead.
      return nodegroup?.updateStrategy === "MINIMAL"
        ? 1 + Math.ceil(size / parallel) * (2.5 + 3) + 1
        : 1 + 3 + Math.ceil(size / parallel) * 2.5 + 1;
    }
  }
}

/**
 * How long a plan takes when each step takes `durationOf(step)`: phases one after another; an
 * add-on wave as long as its longest update; node groups `concurrency` at a time, each taking the
 * next free slot in plan order, as execute runs them.
 */
export function planDuration(
  plan: Pick<Plan, "steps">,
  concurrency: number,
  durationOf: (s: Step) => number,
): number {
  let total = 0;
  for (const phase of [...new Set(plan.steps.map((s) => s.phase))]) {
    const steps = plan.steps.filter((s) => s.phase === phase);
    if (steps.every((s) => s.kind === "nodegroup" || s.kind === "nodegroupConfig")) {
      const lanes = new Array<number>(Math.max(1, concurrency)).fill(0);
      for (const s of steps) {
        const i = lanes.indexOf(Math.min(...lanes));
        lanes[i] = (lanes[i] ?? 0) + durationOf(s);
      }
      total += Math.max(...lanes);
    } else {
      total += Math.max(...steps.map(durationOf));
    }
  }
  return total;
}

/** The plan's rough wall time in minutes, from each step's estimate. */
export function estimatePlanMinutes(plan: Pick<Plan, "steps">, concurrency: number): number {
  return Math.round(planDuration(plan, concurrency, (s) => s.estimatedMinutes));
}
