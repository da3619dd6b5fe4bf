import { randomUUID } from "node:crypto";
import { amiFamily } from "./ami-types";
import type { Catalog } from "./catalog";
import { DAY, MINUTE } from "./clock";
import { SeedError } from "./errors";
import type { ClusterRecord, NodegroupRecord } from "./model";
import type { ClusterSeed, NodegroupSeed, Seed } from "./seed";
import { isAddonVersion } from "./addon-version";

/**
 * Turns a validated seed into cluster records, refusing what is well-formed but impossible (an
 * unknown minor, a node group newer than its cluster, ...) with the field's path. Versions a seed
 * uses that the catalog lacks join the catalog, so seeds stay short.
 */
export interface SeedEnv {
  catalog: Catalog;
  region: string;
  accountId: string;
  now: number;
}

export function loadClusters(seed: Seed, env: SeedEnv): Map<string, ClusterRecord> {
  const clusters = new Map<string, ClusterRecord>();
  seed.clusters.forEach((c, i) => {
    for (const field of ["workloads", "nodes"] as const)
      if (c[field].length > 0 && !seed.kubernetes)
        throw new SeedError(
          `clusters[${i}].${field}: ${field} need a Kubernetes API server; set "kubernetes": true at the top of the seed`,
        );
    if (clusters.has(c.name)) throw new SeedError(`clusters[${i}].name: duplicate cluster "${c.name}"`);
    clusters.set(c.name, seedCluster(c, `clusters[${i}]`, env));
  });
  return clusters;
}

function seedCluster(c: ClusterSeed, at: string, env: SeedEnv): ClusterRecord {
  const { catalog, region, accountId, now } = env;
  if (!catalog.minor(c.version)) {
    const known = catalog.kubernetesVersions().map((k) => k.version);
    throw new SeedError(
      `${at}.version: unknown Kubernetes version "${c.version}" (known: ${known.join(", ")})`,
    );
  }
  const arn = `arn:aws:eks:${region}:${accountId}:cluster/${c.name}`;
  const cluster: ClusterRecord = {
    name: c.name,
    arn,
    endpointId: randomUUID().replace(/-/g, "").toUpperCase(),
    createdAt: now - 400 * DAY,
    version: c.version,
    platformVersion: c.platformVersion ?? catalog.latestPlatformVersion(c.version),
    status: c.status,
    supportType: c.supportType,
    autoMode: c.autoMode,
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
  if (cluster.lastUpgrade) cluster.updates.push(pastUpgrade(cluster, cluster.lastUpgrade.at));
  for (const [name, spec] of Object.entries(c.addons)) {
    const version = typeof spec === "string" ? spec : spec.version;
    if (!isAddonVersion(version)) {
      throw new SeedError(
        `${at}.addons.${name}: "${version}" is not an add-on version like v1.19.0-eksbuild.1`,
      );
    }
    // A seed may name versions the catalog lacks: they join it, compatible with the cluster's minor.
    if (!catalog.addonVersion(name, version)) catalog.addAddonVersion(name, version, [c.version]);
    cluster.addons.set(name, {
      name,
      arn: `arn:aws:eks:${region}:${accountId}:addon/${c.name}/${name}/${randomUUID()}`,
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
    cluster.nodegroups.set(n.name, seedNodegroup(n, cluster, where, env));
  });
  c.insights.forEach((ins, k) => {
    if (!catalog.minor(ins.kubernetesVersion)) {
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
      afterRefresh: ins.statusAfterRefresh
        ? { status: ins.statusAfterRefresh, reason: defaultInsightReason(ins.statusAfterRefresh) }
        : undefined,
      lastRefreshTime: ins.lastRefreshTime ? Date.parse(ins.lastRefreshTime) : now,
      lastTransitionTime: (ins.lastRefreshTime ? Date.parse(ins.lastRefreshTime) : now) - DAY,
    });
  });
  return cluster;
}

function seedNodegroup(n: NodegroupSeed, cluster: ClusterRecord, at: string, env: SeedEnv): NodegroupRecord {
  const { catalog, region, accountId, now } = env;
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
  if (!catalog.minor(version)) throw new SeedError(`${at}.version: unknown Kubernetes version "${version}"`);
  if (catalog.minorsApart(cluster.version, version) > 0) {
    throw new SeedError(`${at}.version: ${version} is newer than the cluster's ${cluster.version}`);
  }
  let releaseVersion: string;
  if (family) {
    const release = n.releaseVersion ?? catalog.latestRelease(family, version);
    if (!release)
      throw new SeedError(`${at}.amiType: ${n.amiType} has no AMI release for Kubernetes ${version}`);
    // The emulator cannot tell where a release it does not know stands among the published ones.
    if (!catalog.releasesFor(family, version).includes(release)) {
      throw new SeedError(
        `${at}.releaseVersion: ${release} is not among the ${family} releases the catalog lists for Kubernetes ${version}; ` +
          `add it, in published order, to catalog.amiReleases.${family}["${version}"]`,
      );
    }
    releaseVersion = release;
  } else {
    releaseVersion = n.releaseVersion ?? lt?.versions?.[lt.version]?.imageId ?? "ami-0custom000000000";
  }
  const uid = randomUUID();
  const desired = n.desiredSize;
  const record: NodegroupRecord = {
    name: n.name,
    uid,
    arn: `arn:aws:eks:${region}:${accountId}:nodegroup/${cluster.name}/${n.name}/${uid}`,
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

function previousMinor(v: string): string {
  const [major, minor] = v.split(".").map(Number);
  return `${major}.${(minor ?? 1) - 1}`;
}

/** The Successful VersionUpdate behind a seed's lastUpgradedAt, so ListUpdates shows it as EKS would. */
function pastUpgrade(cluster: ClusterRecord, endedAt: number): ClusterRecord["updates"][number] {
  const startedAt = endedAt - 10 * MINUTE;
  return {
    id: randomUUID(),
    cluster: cluster.name,
    type: "VersionUpdate",
    params: [
      { type: "Version", value: cluster.version },
      { type: "PlatformVersion", value: cluster.platformVersion },
    ],
    createdAt: startedAt,
    status: "Successful",
    errors: [],
    visibleAt: endedAt,
    completesAt: endedAt,
    effect: {
      kind: "clusterVersion",
      version: cluster.version,
      platformVersion: cluster.platformVersion,
      rollback: false,
    },
    applied: true,
    force: false,
    origin: "external",
  };
}

function defaultInsightReason(status: string): string {
  return status === "PASSING"
    ? "No issues detected."
    : status === "ERROR"
      ? "Issues that will break workloads after the upgrade were detected."
      : "Issues were detected that may need attention before upgrading.";
}
