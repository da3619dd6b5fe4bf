import type { ObservedNodegroup, StepRequest } from "./model";

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
      return 1 + 3 + Math.ceil(size / parallel) * 2.5 + 1;
    }
  }
}
