import { withinOneMinor } from "./addon-version";
import { amiFamily } from "./ami-types";
import type { Catalog } from "./catalog";
import { DAY } from "./clock";
import { type ErrorContext, invalidParameter, invalidRequest, invalidState } from "./errors";
import type { AddonRecord, ClusterRecord, NodegroupRecord, UpdateEffect, UpdateParam } from "./model";

/**
 * What EKS accepts as a change, as pure functions: each one refuses a request the way EKS does, or
 * describes the change (its update params and the effect it has once it succeeds). Whether the
 * target is free to change (one update at a time) is the backend's business.
 */

export interface Change<E extends UpdateEffect> {
  params: UpdateParam[];
  effect: E;
}

type Effect<K extends UpdateEffect["kind"]> = Extract<UpdateEffect, { kind: K }>;

/** EKS's rollback window after a control-plane upgrade (2026). */
export const ROLLBACK_WINDOW_MS = 7 * DAY;
const RESOLVE_CONFLICTS = ["OVERWRITE", "NONE", "PRESERVE"];

/**
 * Kubelets may be 3 minors older than the API server (Kubernetes version skew policy for kubelets
 * from 1.25 on; every minor EKS offers is newer). Distances are counted in the catalog's list.
 */
export const KUBELET_SKEW = 3;

/** EKS's tag limits (TagMap in the API model): 50 tags, keys of 1-128 characters, values of at most 256. */
export const TAGS_MAX = 50;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;

/** The minor a cluster may roll back to now: the one its last upgrade left, within 7 days. */
export function rollbackTarget(cluster: ClusterRecord, now: number): string | undefined {
  const last = cluster.lastUpgrade;
  return last && now - last.at <= ROLLBACK_WINDOW_MS ? last.from : undefined;
}

/** UpdateClusterVersion: one minor up, or back to the minor left within the rollback window. */
export function controlPlaneChange(
  catalog: Catalog,
  cluster: ClusterRecord,
  input: {
    version?: string | undefined;
    force?: boolean | undefined;
    rollbackConfig?: { timeoutMinutes?: number | undefined } | undefined;
  },
  now: number,
): Change<Effect<"clusterVersion">> & { type: "VersionUpdate" | "VersionRollback" } {
  const c = { clusterName: cluster.name };
  const target = input.version;
  if (!target) throw invalidParameter("version is required", c);
  const unsupported = () =>
    invalidParameter(`Unsupported Kubernetes minor version update from ${cluster.version} to ${target}`, c);
  if (!catalog.minor(target)) throw unsupported();
  // Since 2026 EKS rolls the control plane back one minor within 7 days of an upgrade.
  const rollback =
    catalog.minorsApart(cluster.version, target) < 0 && rollbackTarget(cluster, now) === target;
  if (!rollback && target !== catalog.nextMinor(cluster.version)) throw unsupported();
  if (rollback) checkRollback(catalog, cluster, target, input, now);
  else if (!input.force) checkUpgradeReadiness(catalog, cluster, target);
  const platformVersion = catalog.latestPlatformVersion(target);
  return {
    type: rollback ? "VersionRollback" : "VersionUpdate",
    params: [
      { type: "Version", value: target },
      { type: "PlatformVersion", value: platformVersion },
    ],
    effect: { kind: "clusterVersion", version: target, platformVersion, rollback },
  };
}

/**
 * What a rollback needs besides its window and its one minor: managed node groups already back,
 * a target EKS still supports (an extended-support one only under the EXTENDED policy), a
 * timeout in range, and no blocking rollback-readiness insight unless `force`. The messages are
 * worded by us: no public source quotes EKS's.
 */
function checkRollback(
  catalog: Catalog,
  cluster: ClusterRecord,
  target: string,
  input: {
    force?: boolean | undefined;
    rollbackConfig?: { timeoutMinutes?: number | undefined } | undefined;
  },
  now: number,
): void {
  const c = { clusterName: cluster.name };
  const timeout = input.rollbackConfig?.timeoutMinutes;
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 120 && timeout <= 10080))
    throw invalidParameter("rollbackConfig.timeoutMinutes must be between 120 and 10080", c);
  const ahead = [...cluster.nodegroups.values()].filter((n) => catalog.minorsApart(target, n.version) > 0);
  if (ahead.length) {
    throw invalidRequest(
      `Managed node groups must be rolled back to ${target} before the control plane: ${ahead.map((n) => `${n.name} runs ${n.version}`).join(", ")}`,
      c,
    );
  }
  const minor = catalog.minor(target);
  if (minor && now >= Date.parse(minor.endOfExtendedSupport))
    throw invalidRequest(`Kubernetes ${target} is no longer supported: a cluster cannot roll back to it`, c);
  if (minor && now >= Date.parse(minor.endOfStandardSupport) && cluster.supportType !== "EXTENDED") {
    throw invalidRequest(
      `Kubernetes ${target} is in extended support: set the cluster's upgrade policy to EXTENDED before rolling back to it`,
      c,
    );
  }
  const blocking = cluster.insights.filter(
    (i) => i.category === "ROLLBACK_READINESS" && (i.status === "ERROR" || i.status === "UNKNOWN"),
  );
  if (blocking.length && !input.force) {
    throw invalidState(
      `Amazon EKS detected rollback readiness issues: ${blocking.map((i) => i.name).join("; ")}. ` +
        "Call ListInsights to view them, or pass force to override.",
      c,
    );
  }
}

/** Refusals EKS makes before an upgrade unless `force`: ERROR insights for the target, kubelet skew. */
function checkUpgradeReadiness(catalog: Catalog, cluster: ClusterRecord, target: string): void {
  const c = { clusterName: cluster.name };
  const blocking = cluster.insights.filter(
    (i) => i.category === "UPGRADE_READINESS" && i.kubernetesVersion === target && i.status === "ERROR",
  );
  if (blocking.length) {
    throw invalidState(
      `Amazon EKS detected upgrade readiness issues for Kubernetes ${target}: ${blocking.map((i) => i.name).join("; ")}. ` +
        "Call ListInsights to view them, or pass force to override.",
      c,
    );
  }
  for (const ng of cluster.nodegroups.values()) {
    if (catalog.minorsApart(ng.version, target) > KUBELET_SKEW) {
      throw invalidState(
        `Nodegroup ${ng.name} runs Kubernetes ${ng.version}; upgrading the control plane to ${target} would exceed the ` +
          `supported kubelet version skew of ${KUBELET_SKEW} minor versions. Update the node group first, or pass force to override.`,
        c,
      );
    }
  }
}

export interface NodegroupVersionInput {
  version?: string | undefined;
  releaseVersion?: string | undefined;
  launchTemplate?: { name?: string; id?: string; version?: string } | undefined;
}

/** UpdateNodegroupVersion: a minor and release for EKS AMIs, a launch template version for custom AMIs. */
export function nodegroupVersionChange(
  catalog: Catalog,
  cluster: ClusterRecord,
  ng: NodegroupRecord,
  input: NodegroupVersionInput,
  now: number,
): Change<Effect<"nodegroupVersion">> {
  const c = { clusterName: cluster.name, nodegroupName: ng.name };
  let effect: Effect<"nodegroupVersion">;
  const params: UpdateParam[] = [];
  if (ng.amiType === "CUSTOM") {
    if (input.version !== undefined || input.releaseVersion !== undefined) {
      throw invalidParameter(
        "You cannot specify version or releaseVersion for a node group that uses a custom AMI; update its launch template version instead",
        c,
      );
    }
    effect = launchTemplateChange(catalog, cluster, ng, input.launchTemplate, c);
  } else {
    // Without a version, a release is checked against the node group's own minor (as EKS does).
    const minor = input.version ?? (input.releaseVersion ? ng.version : cluster.version);
    if (!catalog.minor(minor)) {
      throw invalidParameter(`Requested Kubernetes version ${minor} is not supported`, c);
    }
    if (catalog.minorsApart(cluster.version, minor) > 0) {
      throw invalidParameter(
        `Requested Nodegroup version ${minor} is newer than the cluster version ${cluster.version}`,
        c,
      );
    }
    // Before a control-plane rollback, node groups go back to the minor it returns to.
    const rollingBack = minor === rollbackTarget(cluster, now) && catalog.minorsApart(ng.version, minor) < 0;
    if (minor !== cluster.version && minor !== ng.version && !rollingBack) {
      throw invalidParameter(
        `Requested Nodegroup version ${minor} is invalid. The version must be the cluster version ${cluster.version} or the current nodegroup version ${ng.version}`,
        c,
      );
    }
    const family = amiFamily(ng.amiType);
    const releases = family ? catalog.releasesFor(family, minor) : [];
    if (releases.length === 0) {
      throw invalidParameter(`AMI type ${ng.amiType} is not supported for Kubernetes version ${minor}`, c);
    }
    const release = input.releaseVersion ?? releases.at(-1) ?? "";
    if (!releases.includes(release)) {
      throw invalidParameter(
        `Requested release version ${release} is not valid for kubernetes version ${minor}`,
        c,
      );
    }
    // "Older" is "published earlier": the catalog's list order, as AWS's release notes give it.
    if (minor === ng.version && family && catalog.isOlderRelease(family, minor, release, ng.releaseVersion)) {
      throw invalidParameter(
        `Requested release version ${release} is older than the current release version ${ng.releaseVersion}; managed node groups cannot roll back`,
        c,
      );
    }
    const lt = input.launchTemplate
      ? launchTemplateChange(catalog, cluster, ng, input.launchTemplate, c)
      : undefined;
    effect = {
      kind: "nodegroupVersion",
      version: minor,
      releaseVersion: release,
      launchTemplateVersion: lt?.launchTemplateVersion,
    };
    params.push({ type: "Version", value: minor }, { type: "ReleaseVersion", value: release });
  }
  if (effect.launchTemplateVersion) {
    if (ng.launchTemplate?.name) params.push({ type: "LaunchTemplateName", value: ng.launchTemplate.name });
    params.push({ type: "LaunchTemplateVersion", value: effect.launchTemplateVersion });
  }
  return { params, effect };
}

/** A node group with a launch template moves to another version of that same template. */
function launchTemplateChange(
  catalog: Catalog,
  cluster: ClusterRecord,
  ng: NodegroupRecord,
  lt: NodegroupVersionInput["launchTemplate"],
  c: ErrorContext,
): Effect<"nodegroupVersion"> {
  const current = ng.launchTemplate;
  if (!current) throw invalidParameter(`Nodegroup ${ng.name} was not created with a launch template`, c);
  if (!lt?.version) {
    throw invalidParameter(
      "launchTemplate with the template's name or id and a version is required for a node group with a custom AMI",
      c,
    );
  }
  const named = lt.name !== undefined || lt.id !== undefined;
  if (
    !named ||
    (lt.name !== undefined && lt.name !== current.name) ||
    (lt.id !== undefined && lt.id !== current.id)
  ) {
    throw invalidParameter(
      `Launch template ${lt.name ?? lt.id} does not match the node group's launch template ${current.name ?? current.id}`,
      c,
    );
  }
  if (!/^\d+$/.test(lt.version))
    throw invalidParameter(`Launch template version ${lt.version} is invalid`, c);
  let { version, releaseVersion } = ng;
  if (current.versions) {
    const entry = current.versions[lt.version];
    if (!entry) {
      throw invalidParameter(
        `Launch template version ${lt.version} was not found for ${current.name ?? current.id}`,
        c,
      );
    }
    if (catalog.minorsApart(cluster.version, entry.kubernetesVersion) > 0) {
      throw invalidParameter(
        `Launch template version ${lt.version} uses Kubernetes ${entry.kubernetesVersion}, newer than the cluster version ${cluster.version}`,
        c,
      );
    }
    version = entry.kubernetesVersion;
    releaseVersion = entry.imageId ?? releaseVersion;
  }
  return { kind: "nodegroupVersion", version, releaseVersion, launchTemplateVersion: lt.version };
}

export interface NodegroupConfigInput {
  scalingConfig?: { minSize?: number; maxSize?: number; desiredSize?: number } | undefined;
  updateConfig?:
    { maxUnavailable?: number; maxUnavailablePercentage?: number; updateStrategy?: string } | undefined;
  labels?: { addOrUpdateLabels?: Record<string, string>; removeLabels?: string[] } | undefined;
}

const between = (n: number | undefined, lo: number, hi: number) =>
  n === undefined || (Number.isInteger(n) && n >= lo && n <= hi);

/** UpdateNodegroupConfig: update parallelism, scaling and labels, validated as EKS does. */
export function nodegroupConfigChange(
  clusterName: string,
  ng: NodegroupRecord,
  input: NodegroupConfigInput,
): Change<Effect<"nodegroupConfig">> {
  const c = { clusterName, nodegroupName: ng.name };
  const { scalingConfig: s, updateConfig: uc, labels } = input;
  if (!s && !uc && !labels) throw invalidParameter("No changes were requested for the nodegroup", c);
  const params: UpdateParam[] = [];
  let updateConfig: Effect<"nodegroupConfig">["updateConfig"];
  if (uc) {
    if (uc.maxUnavailable !== undefined && uc.maxUnavailablePercentage !== undefined) {
      throw invalidParameter("Only one of maxUnavailable and maxUnavailablePercentage may be specified", c);
    }
    if (!between(uc.maxUnavailable, 1, 100))
      throw invalidParameter("maxUnavailable must be an integer between 1 and 100", c);
    if (!between(uc.maxUnavailablePercentage, 1, 100)) {
      throw invalidParameter("maxUnavailablePercentage must be an integer between 1 and 100", c);
    }
    if (
      uc.updateStrategy !== undefined &&
      uc.updateStrategy !== "DEFAULT" &&
      uc.updateStrategy !== "MINIMAL"
    ) {
      throw invalidParameter(`updateStrategy must be DEFAULT or MINIMAL, not ${uc.updateStrategy}`, c);
    }
    if (uc.maxUnavailable !== undefined)
      params.push({ type: "MaxUnavailable", value: String(uc.maxUnavailable) });
    if (uc.maxUnavailablePercentage !== undefined) {
      params.push({ type: "MaxUnavailablePercentage", value: String(uc.maxUnavailablePercentage) });
    }
    if (uc.updateStrategy) params.push({ type: "UpdateStrategy", value: uc.updateStrategy });
    // A change of strategy alone keeps the parallelism the node group had.
    const parallelismGiven = uc.maxUnavailable !== undefined || uc.maxUnavailablePercentage !== undefined;
    updateConfig = {
      maxUnavailable: parallelismGiven ? uc.maxUnavailable : ng.updateConfig.maxUnavailable,
      maxUnavailablePercentage: parallelismGiven
        ? uc.maxUnavailablePercentage
        : ng.updateConfig.maxUnavailablePercentage,
      updateStrategy: uc.updateStrategy ?? ng.updateConfig.updateStrategy,
    };
  }
  if (s) {
    const next = { ...ng.scaling, ...s };
    if (
      next.minSize < 0 ||
      next.maxSize < 1 ||
      next.desiredSize < next.minSize ||
      next.desiredSize > next.maxSize
    ) {
      throw invalidParameter(
        "Scaling configuration must satisfy 0 <= minSize <= desiredSize <= maxSize and maxSize >= 1",
        c,
      );
    }
    const names = { minSize: "MinSize", maxSize: "MaxSize", desiredSize: "DesiredSize" } as const;
    for (const k of ["minSize", "maxSize", "desiredSize"] as const) {
      if (s[k] !== undefined) params.push({ type: names[k], value: String(s[k]) });
    }
  }
  if (labels?.addOrUpdateLabels)
    params.push({ type: "LabelsToAdd", value: JSON.stringify(labels.addOrUpdateLabels) });
  if (labels?.removeLabels)
    params.push({ type: "LabelsToRemove", value: JSON.stringify(labels.removeLabels) });
  return {
    params,
    effect: {
      kind: "nodegroupConfig",
      scaling: s,
      updateConfig,
      labels: labels ? { addOrUpdate: labels.addOrUpdateLabels, remove: labels.removeLabels } : undefined,
    },
  };
}

export interface AddonChangeInput {
  addonVersion?: string | undefined;
  resolveConflicts?: string | undefined;
  configurationValues?: string | undefined;
  serviceAccountRoleArn?: string | undefined;
}

/** UpdateAddon: a version compatible with the cluster's minor, vpc-cni one minor at a time. */
export function addonChange(
  catalog: Catalog,
  cluster: ClusterRecord,
  addon: AddonRecord,
  input: AddonChangeInput,
): Change<Effect<"addon">> {
  const c = { clusterName: cluster.name, addonName: addon.name };
  if (input.resolveConflicts !== undefined && !RESOLVE_CONFLICTS.includes(input.resolveConflicts)) {
    throw invalidParameter(`resolveConflicts must be one of ${RESOLVE_CONFLICTS.join(", ")}`, c);
  }
  const params: UpdateParam[] = [];
  if (input.addonVersion !== undefined) {
    const entry = catalog.addonVersion(addon.name, input.addonVersion);
    if (!entry?.compatibleWith.has(cluster.version))
      throw invalidParameter("Addon version specified is not supported", c);
    if (catalog.requiresOneMinorAtATime(addon.name) && !withinOneMinor(addon.version, input.addonVersion)) {
      const label = addon.name === "vpc-cni" ? "VPC-CNI" : addon.name;
      throw invalidParameter(`Updating ${label} can only go up or down 1 minor version at a time`, c);
    }
    params.push({ type: "AddonVersion", value: input.addonVersion });
  }
  if (input.resolveConflicts) params.push({ type: "ResolveConflicts", value: input.resolveConflicts });
  if (input.configurationValues !== undefined)
    params.push({ type: "ConfigurationValues", value: input.configurationValues });
  if (input.serviceAccountRoleArn !== undefined) {
    params.push({ type: "ServiceAccountRoleArn", value: input.serviceAccountRoleArn });
  }
  return {
    params,
    effect: { kind: "addon", version: input.addonVersion, configurationValues: input.configurationValues },
  };
}
