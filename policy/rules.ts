import { VERSION_FIELDS } from "../infra/transforms";

/** The rules of the policy pack as pure functions, so tests can run them on recorded resources. */

export const CLUSTER_UPGRADE_TYPE = "pulumi-nodejs:dynamic/eks-upgrade:ClusterUpgrade";

/**
 * Every version field ClusterUpgrade owns must be in the resource's ignoreChanges, or the AWS
 * provider would change it itself, in parallel, with no order and no downgrade check.
 */
export function versionOwnershipViolations(
  type: string,
  ignoreChanges: readonly string[] | undefined,
): string[] {
  const owned = VERSION_FIELDS[type] ?? [];
  const missing = owned.filter((f) => !(ignoreChanges ?? []).includes(f));
  return missing.length
    ? [
        `${type} must ignore changes to ${missing.join(", ")}: ClusterUpgrade owns them (use the ignoreVersionChanges transform)`,
      ]
    : [];
}

/** Values that move without a change to the stack ("current" follows the control plane to the newest). */
const FLOATING = new Set(["latest", "default", "current"]);

/** In stacks named prod*, node group releases and add-on versions are pinned: no "latest", "current" or "default". */
export function prodPinViolations(stack: string, type: string, props: Record<string, unknown>): string[] {
  if (!/^prod/.test(stack)) return [];
  const out: string[] = [];
  if (type === CLUSTER_UPGRADE_TYPE) {
    for (const [name, ng] of Object.entries(
      (props.nodeGroups ?? {}) as Record<string, { amiReleaseVersion?: string }>,
    )) {
      const release = ng.amiReleaseVersion ?? "latest";
      if (FLOATING.has(release))
        out.push(
          `node group ${name}: pin eks-upgrade:nodeGroups.${name}.amiReleaseVersion in stack ${stack} (it is "${release}")`,
        );
    }
    for (const [name, spec] of Object.entries(
      (props.addons ?? {}) as Record<string, string | { version?: string }>,
    )) {
      const version = typeof spec === "string" ? spec : (spec.version ?? "default");
      if (FLOATING.has(version))
        out.push(`add-on ${name}: pin eks-upgrade:addons.${name} in stack ${stack} (it is "${version}")`);
    }
  }
  if (type === "aws:eks/nodeGroup:NodeGroup" && !props.releaseVersion) {
    out.push(`node group ${props.nodeGroupName ?? "?"}: pin releaseVersion in stack ${stack}`);
  }
  if (type === "aws:eks/addon:Addon" && !props.addonVersion) {
    out.push(`add-on ${props.addonName ?? "?"}: pin addonVersion in stack ${stack}`);
  }
  return out;
}
