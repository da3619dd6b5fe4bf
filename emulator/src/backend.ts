import { randomUUID } from "node:crypto";
import type { Catalog } from "./catalog";
import { describeAddonVersions, describeClusterVersions } from "./catalog-reads";
import { epochSeconds, type SimClock } from "./clock";
import { EksError, notFound, resourceInUse } from "./errors";
import type { FaultSet } from "./faults";
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
import {
  type AddonChangeInput,
  addonChange,
  controlPlaneChange,
  type NodegroupConfigInput,
  type NodegroupVersionInput,
  nodegroupConfigChange,
  nodegroupVersionChange,
  TAG_KEY_MAX,
  TAG_VALUE_MAX,
  TAGS_MAX,
} from "./rules";
import type { Seed } from "./seed";
import { loadClusters } from "./seed-loader";
import type { Timing } from "./timing";

export type Origin = "api" | "external";

export type NodegroupDriver = (cluster: ClusterRecord, ng: NodegroupRecord, u: UpdateRecord) => void;

export interface InsightsFilter {
  categories?: string[] | undefined;
  kubernetesVersions?: string[] | undefined;
  statuses?: string[] | undefined;
}

interface Target {
  nodegroup?: string | undefined;
  addon?: string | undefined;
}

/**
 * EKS state and its transitions: clusters, node groups, add-ons, insights and asynchronous
 * updates. What EKS refuses lives in rules.ts; HTTP lives in wire/. Updates progress lazily:
 * every entry point first brings the state up to the simulated clock.
 */
export class EksBackend {
  private clusters = new Map<string, ClusterRecord>();
  /** Plays node group version updates on a real API server, when the seed asks for Kubernetes. */
  private driver: NodegroupDriver | undefined;

  constructor(
    private readonly catalog: Catalog,
    private readonly clock: SimClock,
    private readonly timing: Timing,
    private readonly faults: FaultSet,
    readonly region: string,
    readonly accountId: string,
  ) {}

  load(seed: Seed): void {
    const env = {
      catalog: this.catalog,
      region: this.region,
      accountId: this.accountId,
      now: this.clock.now(),
    };
    this.clusters = loadClusters(seed, env);
  }

  /** From now on node group version updates are driven (kubernetes/rollout.ts), not timed. */
  driveNodegroupsWith(driver: NodegroupDriver): void {
    this.driver = driver;
  }

  /** A driven update has ended: successful, or failed with the error EKS would report. */
  finishDriven(clusterName: string, updateId: string, failure?: UpdateRecord["failure"]): void {
    const cluster = this.cluster(clusterName);
    const u = cluster.updates.find((x) => x.id === updateId);
    if (!u || u.status !== "InProgress") return;
    const now = this.clock.now();
    u.failure = failure;
    u.visibleAt = now;
    u.completesAt = now;
    this.advance();
  }

  clusterRecords(): ClusterRecord[] {
    return [...this.clusters.values()];
  }

  // --- progress ------------------------------------------------------------------------------

  /** Applies every update milestone that the clock has passed. */
  advance(): void {
    const now = this.clock.now();
    for (const cluster of this.clusters.values()) {
      const refresh = cluster.insightsRefresh;
      if (refresh && now >= refresh.endsAt) {
        for (const i of cluster.insights) {
          if (i.lastRefreshTime >= refresh.endsAt) continue;
          i.lastRefreshTime = refresh.endsAt;
          if (i.afterRefresh && i.afterRefresh.status !== i.status) {
            i.status = i.afterRefresh.status;
            i.reason = i.afterRefresh.reason;
            i.lastTransitionTime = refresh.endsAt;
          }
          i.afterRefresh = undefined;
        }
      }
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
        if (e.updateConfig) ng.updateConfig = e.updateConfig;
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
    if (!u) {
      throw notFound(`No update found for ID: ${updateId}`, {
        clusterName: cluster.name,
        nodegroupName: target.nodegroup,
        addonName: target.addon,
      });
    }
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

  /** StartInsightsRefresh: insights are evaluated again; one refresh at a time, asking again while it runs is its status. */
  startInsightsRefresh(name: string) {
    this.advance();
    const cluster = this.cluster(name);
    const now = this.clock.now();
    if (!cluster.insightsRefresh || now >= cluster.insightsRefresh.endsAt)
      cluster.insightsRefresh = { startedAt: now, endsAt: now + this.timing.insightsRefreshMs() };
    return { message: "Insights refresh is in progress.", status: "IN_PROGRESS" };
  }

  describeInsightsRefresh(name: string) {
    this.advance();
    const cluster = this.cluster(name);
    const r = cluster.insightsRefresh;
    if (!r) throw notFound(`No insights refresh found for cluster ${name}`, { clusterName: name });
    const done = this.clock.now() >= r.endsAt;
    return {
      message: done ? "Insights refresh completed." : "Insights refresh is in progress.",
      status: done ? "COMPLETED" : "IN_PROGRESS",
      startedAt: epochSeconds(r.startedAt),
      ...(done ? { endedAt: epochSeconds(r.endsAt) } : {}),
    };
  }

  describeInsight(name: string, id: string) {
    this.advance();
    const cluster = this.cluster(name);
    const insight = cluster.insights.find((i) => i.id === id);
    if (!insight) throw notFound(`No insight found for id: ${id}`, { clusterName: name });
    return { insight: renderInsight(insight) };
  }

  // --- tags ----------------------------------------------------------------------------------

  /** TagResource: tags merge into the cluster's (a key given again takes the new value). */
  tagResource(arn: string, tags: Record<string, string> | undefined) {
    this.advance();
    const cluster = this.taggable(arn);
    const entries = Object.entries(tags ?? {});
    if (!entries.length) throw new EksError("BadRequestException", "tags must name at least one tag");
    for (const [k, v] of entries) {
      if (typeof v !== "string")
        throw new EksError("BadRequestException", `The value of tag ${k} must be a string`);
      if (k.length < 1 || k.length > TAG_KEY_MAX || v.length > TAG_VALUE_MAX)
        throw new EksError(
          "BadRequestException",
          `Tag keys are 1 to ${TAG_KEY_MAX} characters and values at most ${TAG_VALUE_MAX}: ${k}`,
        );
      if (/^aws:/i.test(k) || /^aws:/i.test(v))
        throw new EksError("BadRequestException", `The aws: prefix is reserved for AWS use: ${k}`);
    }
    const merged = { ...cluster.tags, ...Object.fromEntries(entries) };
    if (Object.keys(merged).length > TAGS_MAX)
      throw new EksError("BadRequestException", `A resource has at most ${TAGS_MAX} tags`);
    cluster.tags = merged;
    return {};
  }

  /** UntagResource: keys the cluster does not carry are ignored, as EKS does. */
  untagResource(arn: string, tagKeys: string[]) {
    this.advance();
    const cluster = this.taggable(arn);
    if (!tagKeys.length) throw new EksError("BadRequestException", "tagKeys must name at least one key");
    cluster.tags = Object.fromEntries(Object.entries(cluster.tags).filter(([k]) => !tagKeys.includes(k)));
    return {};
  }

  listTagsForResource(arn: string) {
    this.advance();
    return { tags: this.taggable(arn).tags };
  }

  /** The cluster an ARN names; node group and add-on ARNs are not taggable here (Known differences). */
  private taggable(arn: string): ClusterRecord {
    const cluster = [...this.clusters.values()].find((c) => c.arn === arn);
    if (!cluster) throw new EksError("NotFoundException", `No resource found for ARN: ${arn}.`);
    return cluster;
  }

  describeAddonVersions(q: Parameters<typeof describeAddonVersions>[1]) {
    return describeAddonVersions(this.catalog, q);
  }

  describeClusterVersions(q: Parameters<typeof describeClusterVersions>[2]) {
    return describeClusterVersions(this.catalog, this.clock.now(), q);
  }

  // --- updates -------------------------------------------------------------------------------

  updateClusterVersion(
    name: string,
    input: {
      version?: string;
      force?: boolean;
      rollbackConfig?: { timeoutMinutes?: number } | undefined;
      clientRequestToken?: string;
    },
    origin: Origin = "api",
  ) {
    this.advance();
    const cluster = this.cluster(name);
    const replay = this.replay(cluster, {}, input.clientRequestToken);
    if (replay) return replay;
    const running = this.inProgress(cluster, {});
    if (running) {
      throw resourceInUse(
        `Cannot VersionUpdate because cluster ${name} currently has update ${running.id} in progress`,
        {
          clusterName: name,
        },
      );
    }
    if (cluster.status !== "ACTIVE") {
      throw resourceInUse(`Cluster ${name} is in ${cluster.status} state; a version update needs it ACTIVE`, {
        clusterName: name,
      });
    }
    const change = controlPlaneChange(this.catalog, cluster, input, this.clock.now());
    const duration = this.timing.controlPlaneMs();
    const u = this.startUpdate(
      cluster,
      {},
      {
        ...change,
        durationMs: duration,
        visibleAfterMs: duration - this.timing.controlPlaneSettleMs(),
        failureAfterMs: () => duration / 2,
        force: input.force ?? false,
        clientRequestToken: input.clientRequestToken,
        origin,
      },
    );
    cluster.status = "UPDATING";
    return { update: renderUpdate(u) };
  }

  updateNodegroupVersion(
    name: string,
    nodegroupName: string,
    input: NodegroupVersionInput & { force?: boolean | undefined; clientRequestToken?: string | undefined },
    origin: Origin = "api",
  ) {
    this.advance();
    const cluster = this.cluster(name);
    const ng = this.nodegroupOf(cluster, nodegroupName);
    const target = { nodegroup: nodegroupName };
    const replay = this.replay(cluster, target, input.clientRequestToken);
    if (replay) return replay;
    this.refuseWhileBusy(cluster, target, ng.status, ["ACTIVE", "DEGRADED"]);
    const change = nodegroupVersionChange(this.catalog, cluster, ng, input, this.clock.now());
    const shape = { desiredSize: ng.scaling.desiredSize, ...ng.updateConfig };
    const u = this.startUpdate(cluster, target, {
      type: "VersionUpdate",
      ...change,
      durationMs: this.timing.nodegroupPhases(shape).totalMs,
      failureAfterMs: (code) => this.timing.nodegroupFailureAfterMs(shape, code),
      force: input.force ?? false,
      clientRequestToken: input.clientRequestToken,
      origin,
    });
    ng.status = "UPDATING";
    if (this.driver && !u.failure) {
      // The nodes roll for real: the update ends when the driver says so.
      u.visibleAt = Number.POSITIVE_INFINITY;
      u.completesAt = Number.POSITIVE_INFINITY;
      this.driver(cluster, ng, u);
    }
    return { update: renderUpdate(u) };
  }

  updateNodegroupConfig(
    name: string,
    nodegroupName: string,
    input: NodegroupConfigInput & { clientRequestToken?: string | undefined },
  ) {
    this.advance();
    const cluster = this.cluster(name);
    const ng = this.nodegroupOf(cluster, nodegroupName);
    const target = { nodegroup: nodegroupName };
    const replay = this.replay(cluster, target, input.clientRequestToken);
    if (replay) return replay;
    this.refuseWhileBusy(cluster, target, ng.status, ["ACTIVE", "DEGRADED"]);
    const change = nodegroupConfigChange(cluster.name, ng, input);
    const u = this.startUpdate(cluster, target, {
      type: "ConfigUpdate",
      ...change,
      durationMs: this.timing.nodegroupConfigMs(),
      force: false,
      clientRequestToken: input.clientRequestToken,
      origin: "api",
    });
    ng.status = "UPDATING";
    return { update: renderUpdate(u) };
  }

  updateAddon(
    name: string,
    addonName: string,
    input: AddonChangeInput & { clientRequestToken?: string | undefined },
    origin: Origin = "api",
  ) {
    this.advance();
    const cluster = this.cluster(name);
    const addon = this.addonOf(cluster, addonName);
    const target = { addon: addonName };
    const replay = this.replay(cluster, target, input.clientRequestToken);
    if (replay) return replay;
    this.refuseWhileBusy(cluster, target, addon.status, [
      "ACTIVE",
      "DEGRADED",
      "UPDATE_FAILED",
      "CREATE_FAILED",
    ]);
    const change = addonChange(this.catalog, cluster, addon, input);
    const u = this.startUpdate(cluster, target, {
      type: "AddonUpdate",
      ...change,
      durationMs: this.timing.addonMs(addonName),
      force: false,
      clientRequestToken: input.clientRequestToken,
      origin,
    });
    addon.status = "UPDATING";
    return { update: renderUpdate(u) };
  }

  private inProgress(cluster: ClusterRecord, target: Target): UpdateRecord | undefined {
    return cluster.updates.find(
      (u) => u.status === "InProgress" && u.nodegroup === target.nodegroup && u.addon === target.addon,
    );
  }

  /** One update at a time per target, none while the control plane updates, and only from a settled status. */
  private refuseWhileBusy(cluster: ClusterRecord, target: Target, status: string, settled: string[]): void {
    const c = { clusterName: cluster.name, nodegroupName: target.nodegroup, addonName: target.addon };
    const what = target.nodegroup ? `Nodegroup ${target.nodegroup}` : `Addon ${target.addon}`;
    const controlPlane = this.inProgress(cluster, {});
    if (controlPlane) {
      throw resourceInUse(
        `${what} cannot be updated because cluster ${cluster.name} currently has update ${controlPlane.id} in progress`,
        c,
      );
    }
    const own = this.inProgress(cluster, target);
    if (own) throw resourceInUse(`${what} currently has update ${own.id} in progress`, c);
    if (!settled.includes(status))
      throw resourceInUse(`${what} is in ${status} status and cannot be updated`, c);
  }

  /** The same clientRequestToken for the same target returns the update it started. */
  private replay(cluster: ClusterRecord, target: Target, token: string | undefined) {
    if (!token) return undefined;
    const u = cluster.updates.find(
      (x) => x.clientRequestToken === token && x.nodegroup === target.nodegroup && x.addon === target.addon,
    );
    return u ? { update: renderUpdate(u) } : undefined;
  }

  private startUpdate(
    cluster: ClusterRecord,
    target: Target,
    spec: {
      type: string;
      params: UpdateParam[];
      effect: UpdateEffect;
      durationMs: number;
      /** When the target shows the result; the end of the update by default. */
      visibleAfterMs?: number;
      /** When an injected failure ends the update; the end of the update by default. */
      failureAfterMs?: (errorCode: string) => number;
      force: boolean;
      clientRequestToken?: string | undefined;
      origin: Origin;
    },
  ): UpdateRecord {
    const now = this.clock.now();
    const fault = this.faults.takeUpdateFailure({ cluster: cluster.name, ...target }, spec.force);
    const failure = fault && {
      errorCode: fault.errorCode,
      errorMessage: fault.errorMessage ?? defaultFailureMessage(fault.errorCode),
      resourceIds: [target.nodegroup ?? target.addon ?? cluster.name],
    };
    const completesAt =
      now + (failure ? (spec.failureAfterMs?.(failure.errorCode) ?? spec.durationMs) : spec.durationMs);
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
        tags: { ...c.tags },
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
