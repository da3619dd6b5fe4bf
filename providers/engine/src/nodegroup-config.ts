import type { ObservedNodegroup } from "./model";
import type { NodeGroupPolicy } from "./spec";

/** The update settings a node group has once the spec's are applied. */
export function configured(ng: ObservedNodegroup, policy: NodeGroupPolicy) {
  const parallelism =
    policy.maxUnavailable !== undefined || policy.maxUnavailablePercentage !== undefined
      ? { maxUnavailable: policy.maxUnavailable, maxUnavailablePercentage: policy.maxUnavailablePercentage }
      : { maxUnavailable: ng.maxUnavailable, maxUnavailablePercentage: ng.maxUnavailablePercentage };
  return { ...parallelism, updateStrategy: policy.updateStrategy ?? ng.updateStrategy };
}

/**
 * A node group config step, when the spec sets update settings the node group does not have yet:
 * parallelism (maxUnavailable or its percentage) and the update strategy. Only what changes is sent.
 */
export function configChange(ng: ObservedNodegroup, policy: NodeGroupPolicy) {
  const parallelismChanges =
    (policy.maxUnavailable !== undefined && policy.maxUnavailable !== ng.maxUnavailable) ||
    (policy.maxUnavailablePercentage !== undefined &&
      policy.maxUnavailablePercentage !== ng.maxUnavailablePercentage);
  const strategyChanges =
    policy.updateStrategy !== undefined && policy.updateStrategy !== (ng.updateStrategy ?? "DEFAULT");
  if (!parallelismChanges && !strategyChanges) return undefined;
  const parallelism = (n?: number, p?: number) => `maxUnavailable ${p !== undefined ? `${p}%` : `${n ?? 1}`}`;
  const after = configured(ng, policy);
  const describe = (c: {
    maxUnavailable?: number;
    maxUnavailablePercentage?: number;
    updateStrategy?: string;
  }) =>
    [
      ...(parallelismChanges ? [parallelism(c.maxUnavailable, c.maxUnavailablePercentage)] : []),
      ...(strategyChanges ? [`updateStrategy ${c.updateStrategy ?? "DEFAULT"}`] : []),
    ].join(", ");
  return {
    id: `nodegroupConfig:${ng.name}`,
    kind: "nodegroupConfig" as const,
    target: ng.name,
    from: describe(ng),
    to: describe(after),
    reason: "update settings from the spec, set before the node group's version update",
    request: {
      kind: "nodegroupConfig" as const,
      ...(parallelismChanges
        ? { maxUnavailable: policy.maxUnavailable, maxUnavailablePercentage: policy.maxUnavailablePercentage }
        : {}),
      ...(strategyChanges ? { updateStrategy: policy.updateStrategy } : {}),
    },
  };
}
