import type * as pulumi from "@pulumi/pulumi";

/**
 * The version fields ClusterUpgrade owns, by resource type. Without ignoreChanges the AWS provider
 * would update them itself — the control plane, node groups and add-ons in parallel, with no
 * order and no downgrade check — whenever the stack config's versions change.
 */
export const VERSION_FIELDS: Record<string, string[]> = {
  "aws:eks/cluster:Cluster": ["version"],
  "aws:eks/nodeGroup:NodeGroup": ["version", "releaseVersion"],
  "aws:eks/addon:Addon": ["addonVersion"],
};

/**
 * A `transforms` entry that adds ignoreChanges for the ClusterUpgrade-owned version fields. As a
 * resource transform it also reaches the children of packaged components (@pulumi/eks's cluster),
 * which plain ignoreChanges on the component does not.
 */
export function ignoreVersionChanges(
  args: pulumi.ResourceTransformArgs,
): pulumi.ResourceTransformResult | undefined {
  const fields = VERSION_FIELDS[args.type];
  if (!fields) return undefined;
  const existing = args.opts.ignoreChanges ?? [];
  return {
    props: args.props,
    opts: { ...args.opts, ignoreChanges: [...existing, ...fields.filter((f) => !existing.includes(f))] },
  };
}
