import { randomUUID } from "node:crypto";
import { amiFamily } from "./ami-types";
import type { Catalog } from "./catalog";
import { DAY, epochSeconds, type SimClock } from "./clock";
import { invalidParameter, invalidState, notFound, resourceInUse, SeedError } from "./errors";
import type { FaultSet, UpdateTarget } from "./faults";
import {
  type AddonRecord,
  type ClusterRecord,
  type HealthIssue,
  type NodegroupRecord,
  renderAddon,
  renderCluster,
  renderInsight,
  renderInsightSummary,
  renderNodegroup,
  renderUpdate,
  type UpdateEffect,
  type UpdateParam,
  type UpdateRecord,
} from "./model";
import { paginate } from "./paginate";
import type { ClusterSeed, Seed } from "./seed";
import type { Timing } from "./timing";
import {
  compareAddonVersions,
  compareMinor,
  compareReleases,
  isMinor,
  minorDistance,
  nextMinor,
  parseAddonVersion,
} from "./versions";

/** EKS's rollback window after a control-plane upgrade (2026). */
const ROLLBACK_WINDOW_MS = 7 * DAY;
const RESOLVE_CONFLICTS = ["OVERWRITE", "NONE", "PRESERVE"];
const ADDON_TYPES: Record<string, string> = {
  "vpc-cni": "networking",
  coredns: "networking",
  "kube-proxy": "networking",
  "aws-ebs-csi-driver": "storage",
  "eks-pod-identity-agent": "security",
};

/** Kubelets may be 3 minors older than the API server from 1.25 on, 2 before (Kubernetes skew policy). */
export function allowedKubeletSkew(kubeletMinor: string): number {
  return compareMinor(kubeletMinor, "1.25") >= 0 ? 3 : 2;
}

export interface UpdateNodegroupVersionInput {
  version?: string | undefined;
  releaseVersion?: string | undefined;
  launchTemplate?: { name?: string; id?: string; version?: string } | undefined;
  force?: boolean | undefined;
  clientRequestToken?: string | undefined;
}

export interface UpdateNodegroupConfigInput {
  scalingConfig?: { minSize?: number; maxSize?: number; desiredSize?: number } | undefined;
  updateConfig?:
    | { maxUnavailable?: number; maxUnavailablePercentage?: number; updateStrategy?: string }
    | undefined;
  labels?: { addOrUpdateLabels?: Record<string, string>; removeLabels?: string[] } | undefined;
  clientRequestToken?: string | undefined;
}

export interface UpdateAddonInput {
  addonVersion?: string | undefined;
  resolveConflicts?: string | undefined;
  configurationValues?: string | undefined;
  serviceAccountRoleArn?: string | undefined;
  clientRequestToken?: string | undefined;
}

export interface InsightsFilter {
  categories?: string[] | undefined;
  kubernetesVersions?: string[] | undefined;
  statuses?: string[] | undefined;
}

/**
 * EKS state and semantics: clusters, node groups, add-ons, insights and asynchronous updates.
 * It knows nothing of HTTP; the wire layer turns requests into these calls and errors into
 * responses. Updates progress lazily: every entry point first brings state up to the clock.
 */
export class EksBackend {
  private clusters = new Map<string, ClusterRecord>();

  constructor(
    private readonly catalog: Catalog,
    private readonly clock: SimClock,
    private readonly timing: Timing,
    private readonly faults: FaultSet,
    readonly region: string,
    readonly accountId: string,
  ) {}

  // --- seeding -------------------------------------------------------------------------------

  load(seed: Seed): void {
    const now = this.clock.now();
    seed.clusters.forEach((c, i) => {
      if (this.clusters.has(c.name))
        throw new SeedError(`clusters[${i}].name: duplicate cluster "${c.name}"`);
      this.clusters.set(c.name, this.seedCluster(c, `clusters[${i}]`, now));
    });
  }

  private seedCluster(c: ClusterSeed, at: string, now: number): ClusterRecord {
    if (!this.catalog.minor(c.version)) {
      const known = this.catalog.kubernetesVersions().map((k) => k.version);
      throw new SeedError(
        `${at}.version: unknown Kubernetes version "${c.version}" (known: ${known.join(", ")})`,
      );
    }
    const arn = `arn:aws:eks:${this.region}:${this.accountId}:cluster/${c.name}`;
    const cluster: ClusterRecord = {
      name: c.name,
      arn,
      endpointId: randomUUID().replace(/-/g, "").toUpperCase(),
      createdAt: now - 400 * DAY,
      version: c.version,
      platformVersion: c.platformVersion ?? this.catalog.latestPlatformVersion(c.version),
      status: c.status,
      supportType: c.supportType,
      healthIssues: c.healthIssues ?? [],
      tags: c.tags ?? {},
      lastUpgrade: c.lastUpgradedAt
        ? { from: previousMinor(c.version), at: Date.parse(c.lastUpgradedAt) }
        : undefined,
      nodegroups: new Map(),
      addons: new Map(),
      insights: [],
      updates: [],
    };
    for (const [name, spec] of Object.entries(c.addons)) {
      const version = typeof spec === "string" ? spec : spec.version;
      if (!parseAddonVersion(version)) {
        throw new SeedError(
          `${at}.addons.${name}: "${version}" is not an add-on version like v1.19.0-eksbuild.1`,
        );
      }
      // A seed may name versions the catalog lacks: they join it, compatible with the cluster's minor.
      if (!this.catalog.addonVersion(name, version)) this.catalog.addAddonVersion(name, version, [c.version]);
      cluster.addons.set(name, {
        name,
        arn: `arn:aws:eks:${this.region}:${this.accountId}:addon/${c.name}/${name}/${randomUUID()}`,
        version,
        status: typeof spec === "string" ? "ACTIVE" : (spec.status ?? "ACTIVE"),
        healthIssues: typeof spec === "string" ? [] : (spec.healthIssues ?? []),
        createdAt: now - 300 * DAY,
        modifiedAt: now - 30 * DAY,
      });
    }
    c.nodegroups.forEach((n, j) => {
      const where = `${at}.nodegroups[${j}]`;
      if (cluster.nodegroups.has(n.name))
        throw new SeedError(`${where}.name: duplicate node group "${n.name}"`);
      cluster.nodegroups.set(n.name, this.seedNodegroup(n, cluster, where, now));
    });
    c.insights.forEach((ins, k) => {
      if (!this.catalog.minor(ins.kubernetesVersion)) {
        throw new SeedError(
          `${at}.insights[${k}].kubernetesVersion: unknown Kubernetes version "${ins.kubernetesVersion}"`,
        );
      }
      cluster.insights.push({
        id: ins.id ?? randomUUID(),
        name: ins.name,
        category: ins.category,
        kubernetesVersion: ins.kubernetesVersion,
        status: ins.status,
        reason: ins.reason ?? defaultInsightReason(ins.status),
        description: ins.description ?? `Checks for ${ins.name.toLowerCase()}.`,
        recommendation: ins.recommendation ?? "Review the affected resources before upgrading.",
        resources: ins.resources ?? [],
        lastRefreshTime: now,
        lastTransitionTime: now - DAY,
      });
    });
    return cluster;
  }

  private seedNodegroup(
    n: ClusterSeed["nodegroups"][number],
    cluster: ClusterRecord,
    at: string,
    now: number,
  ) {
    const family = amiFamily(n.amiType);
    if (n.maxUnavailable !== undefined && n.maxUnavailablePercentage !== undefined) {
      throw new SeedError(`${at}.maxUnavailable: give maxUnavailable or maxUnavailablePercentage, not both`);
    }
    if (n.amiType === "CUSTOM" && !n.launchTemplate) {
      throw new SeedError(`${at}.launchTemplate: a CUSTOM node group needs a launch template`);
    }
    const lt = n.launchTemplate;
    const ltMinor = lt?.versions?.[lt.version]?.kubernetesVersion;
    const version = n.version ?? ltMinor ?? cluster.version;
    if (!this.catalog.minor(version))
      throw new SeedError(`${at}.version: unknown Kubernetes version "${version}"`);
    if (compareMinor(version, cluster.version) > 0) {
      throw new SeedError(`${at}.version: ${version} is newer than the cluster's ${cluster.version}`);
    }
    let releaseVersion: string;
    if (family) {
      const release = n.releaseVersion ?? this.catalog.latestRelease(family, version);
      if (!release)
        throw new SeedError(`${at}.amiType: ${n.amiType} has no AMI release for Kubernetes ${version}`);
      this.catalog.addRelease(family, version, release);
      releaseVersion = release;
    } else {
      releaseVersion = n.releaseVersion ?? lt?.versions?.[lt.version]?.imageId ?? "ami-0custom000000000";
    }
    const uid = randomUUID();
    const desired = n.desiredSize;
    const record: NodegroupRecord = {
      name: n.name,
      uid,
      arn: `arn:aws:eks:${this.region}:${this.accountId}:nodegroup/${cluster.name}/${n.name}/${uid}`,
      createdAt: now - 200 * DAY,
      modifiedAt: now - 20 * DAY,
      version,
      releaseVersion,
      amiType: n.amiType,
      status: n.status,
      healthIssues: n.healthIssues ?? [],
      capacityType: n.capacityType,
      instanceTypes: n.instanceTypes ?? [n.amiType.includes("ARM") ? "m7g.large" : "m6i.large"],
      labels: n.labels ?? {},
      scaling: {
        minSize: n.minSize ?? Math.min(1, desired),
        maxSize: n.maxSize ?? Math.max(desired, 1) * 2,
        desiredSize: desired,
      },
      updateConfig: {
        maxUnavailable: n.maxUnavailablePercentage === undefined ? (n.maxUnavailable ?? 1) : undefined,
        maxUnavailablePercentage: n.maxUnavailablePercentage,
        updateStrategy: n.updateStrategy,
      },
      launchTemplate: lt
        ? {
            name: lt.name,
            id: lt.id ?? `lt-${uid.replace(/-/g, "").slice(0, 17)}`,
            version: lt.version,
            versions: lt.versions,
          }
        : undefined,
    };
    return record;
  }

  // --- progress ------------------------------------------------------------------------------

  /** Applies every update milestone that the clock has passed. */
  advance(): void {
    const now = this.clock.now();
    for (const cluster of this.clusters.values()) {
      for (const u of cluster.updates) {
        if (u.status !== "InProgress") continue;
        if (!u.failure && !u.applied && now >= u.visibleAt) this.applyEffect(cluster, u);
        if (now >= u.completesAt) this.complete(cluster, u);
      }
    }
  }

  private applyEffect(cluster: ClusterRecord, u: UpdateRecord): void {
    u.applied = true;
    const e = u.effect;
    const at = u.visibleAt;
    switch (e.kind) {
      case "clusterVersion":
        cluster.lastUpgrade = e.rollback ? undefined : { from: cluster.version, at };
        cluster.version = e.version;
        cluster.platformVersion = e.platformVersion;
        cluster.status = "ACTIVE";
        break;
      case "nodegroupVersion": {
        const ng = this.nodegroupOf(cluster, u.nodegroup);
        ng.version = e.version;
        ng.releaseVersion = e.releaseVersion;
        if (e.launchTemplateVersion && ng.launchTemplate) ng.launchTemplate.version = e.launchTemplateVersion;
        ng.status = "ACTIVE";
        ng.healthIssues = [];
        ng.modifiedAt = at;
        break;
      }
      case "nodegroupConfig": {
        const ng = this.nodegroupOf(cluster, u.nodegroup);
        if (e.scaling) ng.scaling = { ...ng.scaling, ...e.scaling };
        if (e.updateConfig)
          ng.updateConfig = {
            ...e.updateConfig,
            updateStrategy: e.updateConfig.updateStrategy ?? ng.updateConfig.updateStrategy,
          };
        if (e.labels) {
          for (const k of e.labels.remove ?? []) delete ng.labels[k];
          Object.assign(ng.labels, e.labels.addOrUpdate ?? {});
        }
        ng.status = "ACTIVE";
        ng.modifiedAt = at;
        break;
      }
      case "addon": {
        const addon = this.addonOf(cluster, u.addon);
        if (e.version) addon.version = e.version;
        if (e.configurationValues !== undefined) addon.configurationValues = e.configurationValues;
        addon.status = "ACTIVE";
        addon.healthIssues = [];
        addon.modifiedAt = at;
        break;
      }
    }
  }

  private complete(cluster: ClusterRecord, u: UpdateRecord): void {
    if (!u.failure) {
      if (!u.applied) this.applyEffect(cluster, u);
      u.status = "Successful";
      return;
    }
    u.status = "Failed";
    u.errors = [u.failure];
    const issue: HealthIssue = {
      code: u.failure.errorCode,
      message: u.failure.errorMessage,
      resourceIds: u.failure.resourceIds,
    };
    if (u.nodegroup) {
      const ng = this.nodegroupOf(cluster, u.nodegroup);
      // Nodes that never joined leave the group degraded; a blocked drain leaves it as it was.
      ng.status = u.failure.errorCode === "NodeCreationFailure" ? "DEGRADED" : "ACTIVE";
      ng.healthIssues = ng.status === "DEGRADED" ? [issue] : ng.healthIssues;
      ng.modifiedAt = u.completesAt;
    } else if (u.addon) {
      const addon = this.addonOf(cluster, u.addon);
      addon.status = "UPDATE_FAILED";
      addon.healthIssues = [issue];
      addon.modifiedAt = u.completesAt;
    } else {
      cluster.status = "ACTIVE";
    }
  }

  // --- reads ---------------------------------------------------------------------------------

  describeCluster(name: string) {
    this.advance();
    return { cluster: renderCluster(this.cluster(name), this.region, this.accountId) };
  }

  listNodegroups(name: string, maxResults?: number, nextToken?: string) {
    this.advance();
    const { page, nextToken: next } = paginate(
      [...this.cluster(name).nodegroups.keys()],
      maxResults,
      nextToken,
    );
    return { nodegroups: page, ...(next ? { nextToken: next } : {}) };
  }

  describeNodegroup(name: string, nodegroupName: string) {
    this.advance();
    const cluster = this.cluster(name);
    return {
      nodegroup: renderNodegroup(this.nodegroupOf(cluster, nodegroupName), cluster.name, this.accountId),
    };
  }

  listAddons(name: string, maxResults?: number, nextToken?: string) {
    this.advance();
    const { page, nextToken: next } = paginate([...this.cluster(name).addons.keys()], maxResults, nextToken);
    return { addons: page, ...(next ? { nextToken: next } : {}) };
  }

  describeAddon(name: string, addonName: string) {
    this.advance();
    const cluster = this.cluster(name);
    return { addon: renderAddon(this.addonOf(cluster, addonName), cluster.name) };
  }

  listUpdates(
    name: string,
    target: { nodegroup?: string; addon?: string },
    maxResults?: number,
    nextToken?: string,
  ) {
    this.advance();
    const cluster = this.cluster(name);
    if (target.nodegroup) this.nodegroupOf(cluster, target.nodegroup);
    if (target.addon) this.addonOf(cluster, target.addon);
    const ids = cluster.updates
      .filter((u) => u.nodegroup === target.nodegroup && u.addon === target.addon)
      .map((u) => u.id);
    const { page, nextToken: next } = paginate(ids, maxResults, nextToken);
    return { updateIds: page, ...(next ? { nextToken: next } : {}) };
  }

  describeUpdate(name: string, updateId: string, target: { nodegroup?: string; addon?: string }) {
    this.advance();
    const cluster = this.cluster(name);
    if (target.nodegroup) this.nodegroupOf(cluster, target.nodegroup);
    if (target.addon) this.addonOf(cluster, target.addon);
    // Like EKS, a node group's or add-on's update is only found when that target is named.
    const u = cluster.updates.find(
      (x) => x.id === updateId && x.nodegroup === target.nodegroup && x.addon === target.addon,
    );
    if (!u) throw notFound(`No update found for ID: ${updateId}`, ctx(cluster.name, target));
    return { update: renderUpdate(u) };
  }

  listInsights(name: string, filter: InsightsFilter | undefined, maxResults?: number, nextToken?: string) {
    this.advance();
    const cluster = this.cluster(name);
    const items = cluster.insights.filter(
      (i) =>
        (!filter?.categories?.length || filter.categories.includes(i.category)) &&
        (!filter?.kubernetesVersions?.length || filter.kubernetesVersions.includes(i.kubernetesVersion)) &&
        (!filter?.statuses?.length || filter.statuses.includes(i.status)),
    );
    const { page, nextToken: next } = paginate(items, maxResults, nextToken);
    return { insights: page.map(renderInsightSummary), ...(next ? { nextToken: next } : {}) };
  }

  describeInsight(name: string, id: string) {
    this.advance();
    const cluster = this.cluster(name);
    const insight = cluster.insights.find((i) => i.id === id);
    if (!insight) throw notFound(`No insight found for id: ${id}`, { clusterName: name });
    return { insight: renderInsight(insight) };
  }

  describeAddonVersions(q: {
    kubernetesVersion?: string;
    addonName?: string;
    maxResults?: number;
    nextToken?: string;
  }) {
    const names = q.addonName ? [q.addonName] : this.catalog.addonNames();
    const infos = names
      .map((addonName) => {
        const versions = this.catalog
          .addonVersions(addonName)
          .filter((v) => !q.kubernetesVersion || v.compatibleWith.has(q.kubernetesVersion))
          .slice()
          .reverse();
        return {
          addonName,
          type: ADDON_TYPES[addonName] ?? "other",
          addonVersions: versions.map((v) => ({
            addonVersion: v.version,
            architecture: ["amd64", "arm64"],
            computeTypes: ["ec2", "hybrid"],
            compatibilities: [...v.compatibleWith]
              .sort((a, b) => compareMinor(b, a))
              .map((m) => ({
                clusterVersion: m,
                platformVersions: ["*"],
                defaultVersion: v.defaultFor.has(m),
              })),
            requiresConfiguration: false,
            requiresIamPermissions: addonName === "aws-ebs-csi-driver",
          })),
          publisher: "eks",
          owner: "aws",
        };
      })
      .filter((a) => a.addonVersions.length > 0);
    const { page, nextToken } = paginate(infos, q.maxResults, q.nextToken);
    return { addons: page, ...(nextToken ? { nextToken } : {}) };
  }

  describeClusterVersions(q: {
    clusterVersions?: string[];
    includeAll?: boolean;
    defaultOnly?: boolean;
    versionStatus?: string;
    maxResults?: number;
    nextToken?: string;
  }) {
    const now = this.clock.now();
    const all = this.catalog.kubernetesVersions();
    const statusOf = (k: (typeof all)[number]) =>
      now < Date.parse(k.endOfStandardSupport)
        ? "STANDARD_SUPPORT"
        : now < Date.parse(k.endOfExtendedSupport)
          ? "EXTENDED_SUPPORT"
          : "UNSUPPORTED";
    const supported = all.filter((k) => statusOf(k) !== "UNSUPPORTED" && Date.parse(k.releasedOn) <= now);
    // EKS creates new clusters one minor behind the newest by default.
    const defaultVersion = supported.at(-2)?.version ?? supported.at(-1)?.version;
    const rows = all
      .filter((k) => q.includeAll || q.clusterVersions?.length || supported.includes(k))
      .filter((k) => !q.clusterVersions?.length || q.clusterVersions.includes(k.version))
      .filter((k) => !q.defaultOnly || k.version === defaultVersion)
      .filter((k) => !q.versionStatus || statusOf(k) === q.versionStatus)
      .reverse()
      .map((k) => ({
        clusterVersion: k.version,
        clusterType: "eks",
        defaultPlatformVersion: k.platformVersions.at(-1),
        defaultVersion: k.version === defaultVersion,
        releaseDate: epochSeconds(Date.parse(k.releasedOn)),
        endOfStandardSupportDate: epochSeconds(Date.parse(k.endOfStandardSupport)),
        endOfExtendedSupportDate: epochSeconds(Date.parse(k.endOfExtendedSupport)),
        status: statusOf(k).toLowerCase().replace("_", "-"),
        versionStatus: statusOf(k),
        kubernetesPatchVersion: k.latestPatch,
      }));
    const { page, nextToken } = paginate(rows, q.maxResults, q.nextToken);
    return { clusterVersions: page, ...(nextToken ? { nextToken } : {}) };
  }

  // --- updates -------------------------------------------------------------------------------

  updateClusterVersion(
    name: string,
    input: { version?: string; force?: boolean; clientRequestToken?: string },
    origin: "api" | "external" = "api",
  ) {
    this.advance();
    const cluster = this.cluster(name);
    const replay = this.replay(cluster, {}, input.clientRequestToken);
    if (replay) return replay;
    const c = { clusterName: name };
    const target = input.version;
    if (!target) throw invalidParameter("version is required", c);
    const running = cluster.updates.find((u) => u.status === "InProgress" && !u.nodegroup && !u.addon);
    if (running) {
      throw resourceInUse(
        `Cannot VersionUpdate because cluster ${name} currently has update ${running.id} in progress`,
        c,
      );
    }
    if (cluster.status !== "ACTIVE") {
      throw resourceInUse(
        `Cluster ${name} is in ${cluster.status} state; a version update needs it ACTIVE`,
        c,
      );
    }
    const unsupported = () =>
      invalidParameter(`Unsupported Kubernetes minor version update from ${cluster.version} to ${target}`, c);
    if (!isMinor(target) || !this.catalog.minor(target)) throw unsupported();
    const now = this.clock.now();
    const order = compareMinor(target, cluster.version);
    let rollback = false;
    if (order < 0) {
      // Since 2026 EKS rolls the control plane back one minor within 7 days of an upgrade.
      const last = cluster.lastUpgrade;
      if (!last || last.from !== target || now - last.at > ROLLBACK_WINDOW_MS) throw unsupported();
      rollback = true;
    } else if (order === 0 || target !== nextMinor(cluster.version)) {
      throw unsupported();
    }
    if (!rollback && !input.force) this.checkUpgradeReadiness(cluster, target);
    const params: UpdateParam[] = [
      { type: "Version", value: target },
      { type: "PlatformVersion", value: this.catalog.latestPlatformVersion(target) },
    ];
    const duration = this.timing.controlPlaneMs();
    const u = this.startUpdate(
      cluster,
      {},
      {
        type: rollback ? "VersionRollback" : "VersionUpdate",
        params,
        durationMs: duration,
        visibleAfterMs: duration - this.timing.controlPlaneSettleMs(),
        failureAfterMs: duration / 2,
        effect: {
          kind: "clusterVersion",
          version: target,
          platformVersion: params[1]?.value ?? "eks.1",
          rollback,
        },
        force: input.force ?? false,
        clientRequestToken: input.clientRequestToken,
        origin,
      },
    );
    cluster.status = "UPDATING";
    return { update: renderUpdate(u) };
  }

  /** Refusals EKS makes before an upgrade unless `force`: ERROR insights for the target, kubelet skew. */
  private checkUpgradeReadiness(cluster: ClusterRecord, target: string): void {
    const blocking = cluster.insights.filter(
      (i) => i.category === "UPGRADE_READINESS" && i.kubernetesVersion === target && i.status === "ERROR",
    );
    if (blocking.length) {
      throw invalidState(
        `Amazon EKS detected upgrade readiness issues for Kubernetes ${target}: ${blocking.map((i) => i.name).join("; ")}. ` +
          "Call ListInsights to view them, or pass force to override.",
        { clusterName: cluster.name },
      );
    }
    for (const ng of cluster.nodegroups.values()) {
      const skew = minorDistance(ng.version, target);
      if (skew > allowedKubeletSkew(ng.version)) {
        throw invalidState(
          `Nodegroup ${ng.name} runs Kubernetes ${ng.version}; upgrading the control plane to ${target} would exceed the ` +
            `supported kubelet version skew of ${allowedKubeletSkew(ng.version)} minor versions. Update the node group first, or pass force to override.`,
          { clusterName: cluster.name },
        );
      }
    }
  }

  updateNodegroupVersion(
    name: string,
    nodegroupName: string,
    input: UpdateNodegroupVersionInput,
    origin: "api" | "external" = "api",
  ) {
    this.advance();
    const cluster = this.cluster(name);
    const ng = this.nodegroupOf(cluster, nodegroupName);
    const c = { clusterName: name, nodegroupName };
    const replay = this.replay(cluster, { nodegroup: nodegroupName }, input.clientRequestToken);
    if (replay) return replay;
    this.refuseWhileBusy(cluster, { nodegroup: nodegroupName }, ng.status, ["ACTIVE", "DEGRADED"]);

    let effect: Extract<UpdateEffect, { kind: "nodegroupVersion" }>;
    const params: UpdateParam[] = [];
    if (ng.amiType === "CUSTOM") {
      if (input.version !== undefined || input.releaseVersion !== undefined) {
        throw invalidParameter(
          "You cannot specify version or releaseVersion for a node group that uses a custom AMI; update its launch template version instead",
          c,
        );
      }
      effect = this.launchTemplateUpdate(cluster, ng, input.launchTemplate, c);
    } else {
      const targetMinor = input.version ?? (input.releaseVersion ? ng.version : cluster.version);
      if (!isMinor(targetMinor) || !this.catalog.minor(targetMinor)) {
        throw invalidParameter(`Requested Kubernetes version ${targetMinor} is not supported`, c);
      }
      if (compareMinor(targetMinor, cluster.version) > 0) {
        throw invalidParameter(
          `Requested Nodegroup version ${targetMinor} is newer than the cluster version ${cluster.version}`,
          c,
        );
      }
      if (targetMinor !== cluster.version && targetMinor !== ng.version) {
        throw invalidParameter(
          `Requested Nodegroup version ${targetMinor} is invalid. The version must be the cluster version ${cluster.version} or the current nodegroup version ${ng.version}`,
          c,
        );
      }
      const family = amiFamily(ng.amiType);
      const releases = family ? this.catalog.releasesFor(family, targetMinor) : [];
      if (releases.length === 0) {
        throw invalidParameter(
          `AMI type ${ng.amiType} is not supported for Kubernetes version ${targetMinor}`,
          c,
        );
      }
      const release = input.releaseVersion ?? releases.at(-1) ?? "";
      if (!releases.includes(release)) {
        throw invalidParameter(
          `Requested release version ${release} is not valid for kubernetes version ${targetMinor}`,
          c,
        );
      }
      if (targetMinor === ng.version && compareReleases(release, ng.releaseVersion) < 0) {
        throw invalidParameter(
          `Requested release version ${release} is older than the current release version ${ng.releaseVersion}; managed node groups cannot roll back`,
          c,
        );
      }
      const lt = input.launchTemplate
        ? this.launchTemplateUpdate(cluster, ng, input.launchTemplate, c)
        : undefined;
      effect = {
        kind: "nodegroupVersion",
        version: targetMinor,
        releaseVersion: release,
        launchTemplateVersion: lt?.launchTemplateVersion,
      };
      params.push({ type: "Version", value: targetMinor }, { type: "ReleaseVersion", value: release });
    }
    if (effect.launchTemplateVersion) {
      if (ng.launchTemplate?.name) params.push({ type: "LaunchTemplateName", value: ng.launchTemplate.name });
      params.push({ type: "LaunchTemplateVersion", value: effect.launchTemplateVersion });
    }
    const phases = this.timing.nodegroupPhases({ desiredSize: ng.scaling.desiredSize, ...ng.updateConfig });
    const u = this.startUpdate(
      cluster,
      { nodegroup: nodegroupName },
      {
        type: "VersionUpdate",
        params,
        durationMs: phases.totalMs,
        failureAfterMs: (code) =>
          this.timing.nodegroupFailureAfterMs(
            { desiredSize: ng.scaling.desiredSize, ...ng.updateConfig },
            code,
          ),
        effect,
        force: input.force ?? false,
        clientRequestToken: input.clientRequestToken,
        origin,
      },
    );
    ng.status = "UPDATING";
    return { update: renderUpdate(u) };
  }

  /** A custom-AMI node group moves by launch template version: same template, a known version. */
  private launchTemplateUpdate(
    cluster: ClusterRecord,
    ng: NodegroupRecord,
    lt: UpdateNodegroupVersionInput["launchTemplate"],
    c: { clusterName: string; nodegroupName: string },
  ): Extract<UpdateEffect, { kind: "nodegroupVersion" }> {
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
    const known = current.versions;
    let version = ng.version;
    let releaseVersion = ng.releaseVersion;
    if (known) {
      const entry = known[lt.version];
      if (!entry)
        throw invalidParameter(
          `Launch template version ${lt.version} was not found for ${current.name ?? current.id}`,
          c,
        );
      if (compareMinor(entry.kubernetesVersion, cluster.version) > 0) {
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

  updateNodegroupConfig(name: string, nodegroupName: string, input: UpdateNodegroupConfigInput) {
    this.advance();
    const cluster = this.cluster(name);
    const ng = this.nodegroupOf(cluster, nodegroupName);
    const c = { clusterName: name, nodegroupName };
    const replay = this.replay(cluster, { nodegroup: nodegroupName }, input.clientRequestToken);
    if (replay) return replay;
    this.refuseWhileBusy(cluster, { nodegroup: nodegroupName }, ng.status, ["ACTIVE", "DEGRADED"]);
    const { scalingConfig: s, updateConfig: uc, labels } = input;
    if (!s && !uc && !labels) throw invalidParameter("No changes were requested for the nodegroup", c);
    const params: UpdateParam[] = [];
    if (uc) {
      if (uc.maxUnavailable !== undefined && uc.maxUnavailablePercentage !== undefined) {
        throw invalidParameter("Only one of maxUnavailable and maxUnavailablePercentage may be specified", c);
      }
      if (
        uc.maxUnavailable !== undefined &&
        !(Number.isInteger(uc.maxUnavailable) && uc.maxUnavailable >= 1 && uc.maxUnavailable <= 100)
      ) {
        throw invalidParameter("maxUnavailable must be an integer between 1 and 100", c);
      }
      if (
        uc.maxUnavailablePercentage !== undefined &&
        !(
          Number.isInteger(uc.maxUnavailablePercentage) &&
          uc.maxUnavailablePercentage >= 1 &&
          uc.maxUnavailablePercentage <= 100
        )
      ) {
        throw invalidParameter("maxUnavailablePercentage must be an integer between 1 and 100", c);
      }
      if (uc.updateStrategy !== undefined && !["DEFAULT", "MINIMAL"].includes(uc.updateStrategy)) {
        throw invalidParameter(`updateStrategy must be DEFAULT or MINIMAL, not ${uc.updateStrategy}`, c);
      }
      if (uc.maxUnavailable !== undefined)
        params.push({ type: "MaxUnavailable", value: String(uc.maxUnavailable) });
      if (uc.maxUnavailablePercentage !== undefined) {
        params.push({ type: "MaxUnavailablePercentage", value: String(uc.maxUnavailablePercentage) });
      }
      if (uc.updateStrategy) params.push({ type: "UpdateStrategy", value: uc.updateStrategy });
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
      for (const [k, type] of [
        ["minSize", "MinSize"],
        ["maxSize", "MaxSize"],
        ["desiredSize", "DesiredSize"],
      ] as const) {
        if (s[k] !== undefined) params.push({ type, value: String(s[k]) });
      }
    }
    if (labels?.addOrUpdateLabels)
      params.push({ type: "LabelsToAdd", value: JSON.stringify(labels.addOrUpdateLabels) });
    if (labels?.removeLabels)
      params.push({ type: "LabelsToRemove", value: JSON.stringify(labels.removeLabels) });
    const updateConfig = uc
      ? {
          maxUnavailable: uc.maxUnavailable,
          maxUnavailablePercentage: uc.maxUnavailablePercentage,
          updateStrategy: uc.updateStrategy as "DEFAULT" | "MINIMAL" | undefined,
        }
      : undefined;
    if (
      updateConfig &&
      updateConfig.maxUnavailable === undefined &&
      updateConfig.maxUnavailablePercentage === undefined
    ) {
      updateConfig.maxUnavailable = ng.updateConfig.maxUnavailable;
      updateConfig.maxUnavailablePercentage = ng.updateConfig.maxUnavailablePercentage;
    }
    const u = this.startUpdate(
      cluster,
      { nodegroup: nodegroupName },
      {
        type: "ConfigUpdate",
        params,
        durationMs: this.timing.nodegroupConfigMs(),
        effect: {
          kind: "nodegroupConfig",
          scaling: s,
          updateConfig,
          labels: labels ? { addOrUpdate: labels.addOrUpdateLabels, remove: labels.removeLabels } : undefined,
        },
        force: false,
        clientRequestToken: input.clientRequestToken,
        origin: "api",
      },
    );
    ng.status = "UPDATING";
    return { update: renderUpdate(u) };
  }

  updateAddon(name: string, addonName: string, input: UpdateAddonInput, origin: "api" | "external" = "api") {
    this.advance();
    const cluster = this.cluster(name);
    const addon = this.addonOf(cluster, addonName);
    const c = { clusterName: name, addonName };
    const replay = this.replay(cluster, { addon: addonName }, input.clientRequestToken);
    if (replay) return replay;
    this.refuseWhileBusy(cluster, { addon: addonName }, addon.status, [
      "ACTIVE",
      "DEGRADED",
      "UPDATE_FAILED",
      "CREATE_FAILED",
    ]);
    if (input.resolveConflicts !== undefined && !RESOLVE_CONFLICTS.includes(input.resolveConflicts)) {
      throw invalidParameter(`resolveConflicts must be one of ${RESOLVE_CONFLICTS.join(", ")}`, c);
    }
    const params: UpdateParam[] = [];
    if (input.addonVersion !== undefined) {
      const entry = this.catalog.addonVersion(addonName, input.addonVersion);
      if (!entry?.compatibleWith.has(cluster.version))
        throw invalidParameter("Addon version specified is not supported", c);
      if (
        this.catalog.requiresOneMinorAtATime(addonName) &&
        !withinOneMinor(addon.version, input.addonVersion)
      ) {
        const label = addonName === "vpc-cni" ? "VPC-CNI" : addonName;
        throw invalidParameter(`Updating ${label} can only go up or down 1 minor version at a time`, c);
      }
      params.push({ type: "AddonVersion", value: input.addonVersion });
    }
    if (input.resolveConflicts) params.push({ type: "ResolveConflicts", value: input.resolveConflicts });
    if (input.configurationValues !== undefined)
      params.push({ type: "ConfigurationValues", value: input.configurationValues });
    if (input.serviceAccountRoleArn !== undefined)
      params.push({ type: "ServiceAccountRoleArn", value: input.serviceAccountRoleArn });
    const u = this.startUpdate(
      cluster,
      { addon: addonName },
      {
        type: "AddonUpdate",
        params,
        durationMs: this.timing.addonMs(addonName),
        effect: {
          kind: "addon",
          version: input.addonVersion,
          configurationValues: input.configurationValues,
        },
        force: false,
        clientRequestToken: input.clientRequestToken,
        origin,
      },
    );
    addon.status = "UPDATING";
    return { update: renderUpdate(u) };
  }

  /** One update at a time per target, none while the control plane updates, and only from a settled status. */
  private refuseWhileBusy(
    cluster: ClusterRecord,
    target: { nodegroup?: string; addon?: string },
    status: string,
    settled: string[],
  ) {
    const c = ctx(cluster.name, target);
    const what = target.nodegroup ? `Nodegroup ${target.nodegroup}` : `Addon ${target.addon}`;
    const controlPlane = cluster.updates.find((u) => u.status === "InProgress" && !u.nodegroup && !u.addon);
    if (controlPlane) {
      throw resourceInUse(
        `${what} cannot be updated because cluster ${cluster.name} currently has update ${controlPlane.id} in progress`,
        c,
      );
    }
    const own = cluster.updates.find(
      (u) => u.status === "InProgress" && u.nodegroup === target.nodegroup && u.addon === target.addon,
    );
    if (own) throw resourceInUse(`${what} currently has update ${own.id} in progress`, c);
    if (!settled.includes(status))
      throw resourceInUse(`${what} is in ${status} status and cannot be updated`, c);
  }

  /** The same clientRequestToken for the same target returns the update it started. */
  private replay(
    cluster: ClusterRecord,
    target: { nodegroup?: string; addon?: string },
    token: string | undefined,
  ) {
    if (!token) return undefined;
    const u = cluster.updates.find(
      (x) => x.clientRequestToken === token && x.nodegroup === target.nodegroup && x.addon === target.addon,
    );
    return u ? { update: renderUpdate(u) } : undefined;
  }

  private startUpdate(
    cluster: ClusterRecord,
    target: { nodegroup?: string; addon?: string },
    spec: {
      type: string;
      params: UpdateParam[];
      durationMs: number;
      visibleAfterMs?: number;
      failureAfterMs?: number | ((errorCode: string) => number);
      effect: UpdateEffect;
      force: boolean;
      clientRequestToken?: string | undefined;
      origin: "api" | "external";
    },
  ): UpdateRecord {
    const now = this.clock.now();
    const faultTarget: UpdateTarget = { cluster: cluster.name, ...target };
    const fault = this.faults.takeUpdateFailure(faultTarget, spec.force);
    const failure = fault
      ? {
          errorCode: fault.errorCode,
          errorMessage: fault.errorMessage ?? defaultFailureMessage(fault.errorCode),
          resourceIds: [target.nodegroup ?? target.addon ?? cluster.name],
        }
      : undefined;
    const failAfter =
      typeof spec.failureAfterMs === "function"
        ? spec.failureAfterMs(failure?.errorCode ?? "")
        : spec.failureAfterMs;
    const completesAt = now + (failure ? (failAfter ?? spec.durationMs) : spec.durationMs);
    const u: UpdateRecord = {
      id: randomUUID(),
      cluster: cluster.name,
      nodegroup: target.nodegroup,
      addon: target.addon,
      type: spec.type,
      params: spec.params,
      createdAt: now,
      status: "InProgress",
      errors: [],
      visibleAt: failure ? completesAt : now + (spec.visibleAfterMs ?? spec.durationMs),
      completesAt,
      effect: spec.effect,
      applied: false,
      failure,
      force: spec.force,
      clientRequestToken: spec.clientRequestToken,
      origin: spec.origin,
    };
    cluster.updates.push(u);
    return u;
  }

  // --- lookups and snapshots -----------------------------------------------------------------

  private cluster(name: string): ClusterRecord {
    const c = this.clusters.get(name);
    if (!c) throw notFound(`No cluster found for name: ${name}.`, { clusterName: name });
    return c;
  }

  private nodegroupOf(cluster: ClusterRecord, name: string | undefined): NodegroupRecord {
    const ng = name === undefined ? undefined : cluster.nodegroups.get(name);
    if (!ng)
      throw notFound(`No node group found for name: ${name}.`, {
        clusterName: cluster.name,
        nodegroupName: name,
      });
    return ng;
  }

  private addonOf(cluster: ClusterRecord, name: string | undefined): AddonRecord {
    const a = name === undefined ? undefined : cluster.addons.get(name);
    if (!a)
      throw notFound(`No addon: ${name} found in cluster: ${cluster.name}`, {
        clusterName: cluster.name,
        addonName: name,
      });
    return a;
  }

  hasCluster(name: string): boolean {
    return this.clusters.has(name);
  }

  /** A plain-data snapshot of everything, for tests and the admin API. */
  snapshot() {
    this.advance();
    return {
      now: this.clock.now(),
      clusters: [...this.clusters.values()].map((c) => ({
        name: c.name,
        version: c.version,
        platformVersion: c.platformVersion,
        status: c.status,
        lastUpgrade: c.lastUpgrade,
        nodegroups: [...c.nodegroups.values()].map((n) => ({
          name: n.name,
          amiType: n.amiType,
          version: n.version,
          releaseVersion: n.releaseVersion,
          status: n.status,
          desiredSize: n.scaling.desiredSize,
          updateConfig: n.updateConfig,
          launchTemplate: n.launchTemplate
            ? { name: n.launchTemplate.name, id: n.launchTemplate.id, version: n.launchTemplate.version }
            : undefined,
          healthIssues: n.healthIssues,
        })),
        addons: [...c.addons.values()].map((a) => ({
          name: a.name,
          version: a.version,
          status: a.status,
          healthIssues: a.healthIssues,
        })),
        updates: c.updates.map((u) => ({
          id: u.id,
          nodegroup: u.nodegroup,
          addon: u.addon,
          type: u.type,
          status: u.status,
          params: u.params,
          createdAt: u.createdAt,
          completesAt: u.completesAt,
          force: u.force,
          origin: u.origin,
          errors: u.errors,
        })),
      })),
    };
  }
}

function ctx(clusterName: string, target: { nodegroup?: string | undefined; addon?: string | undefined }) {
  return { clusterName, nodegroupName: target.nodegroup, addonName: target.addon };
}

function previousMinor(v: string): string {
  const [major, minor] = v.split(".").map(Number);
  return `${major}.${(minor ?? 1) - 1}`;
}

/** Same major, and the minor moves by at most one in either direction. */
function withinOneMinor(from: string, to: string): boolean {
  const a = parseAddonVersion(from);
  const b = parseAddonVersion(to);
  if (!a || !b) return compareAddonVersions(from, to) === 0;
  return a.major === b.major && Math.abs(a.minor - b.minor) <= 1;
}

function defaultInsightReason(status: string): string {
  return status === "PASSING"
    ? "No issues detected."
    : status === "ERROR"
      ? "Issues that will break workloads after the upgrade were detected."
      : "Issues were detected that may need attention before upgrading.";
}

const FAILURE_MESSAGES: Record<string, string> = {
  PodEvictionFailure: "Reached max retries while trying to evict pods from nodes in node group",
  NodeCreationFailure: "Instances failed to join the kubernetes cluster",
  ConfigurationConflict:
    "Conflicts found when trying to apply. Will not continue due to resolve conflicts mode",
  InsufficientFreeAddresses:
    "One or more of the subnets associated with your cluster does not have enough available IP addresses",
  ClusterUnreachable: "Amazon EKS was unable to communicate with the cluster API server",
};

function defaultFailureMessage(code: string): string {
  return FAILURE_MESSAGES[code] ?? `The update failed: ${code}`;
}
