import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  type EKSClient,
  paginateListAddons,
  paginateListInsights,
  paginateListNodegroups,
  paginateListUpdates,
} from "@aws-sdk/client-eks";
import { pauseOf } from "./pause";
import type { Clients } from "./clients";
import { withCallerAccount } from "./operational";
import { addMinor } from "./versions";
import { mapLimit } from "./concurrency";
import type {
  HealthIssue,
  Observed,
  ObservedAddon,
  ObservedInsight,
  ObservedNodegroup,
  ObservedUpdate,
  Target,
} from "./model";

/** Concurrent Describe calls at most: EKS rate-limits them per account. */
const READ_CONCURRENCY = 8;

/**
 * Reads the live state the planner needs: the cluster, its node groups and add-ons, the
 * upgrade-readiness insights, and the updates in progress on anything that reports UPDATING.
 */
export async function observe(clients: Clients, clusterName: string): Promise<Observed> {
  try {
    return await observeCluster(clients, clusterName);
  } catch (e) {
    throw await withCallerAccount(clients, e);
  }
}

/** How many of the cluster's newest updates are read to find its last change of minor. */
const HISTORY_DEPTH = 10;

/**
 * Read only by those that need it (the bake period, a lowered version's remedy, the rollback):
 * the update that brought the control plane to the minor it runs: the newest Successful
 * VersionUpdate or VersionRollback to it among the cluster's latest updates (config updates are
 * passed over). Undefined when none is found (a cluster created at its minor, or long ago).
 */
export async function lastVersionChange(
  eks: EKSClient,
  cluster: Observed["cluster"],
): Promise<Observed["lastVersionChange"]> {
  const ids = await listAll(paginateListUpdates({ client: eks }, { name: cluster.name }), (p) => p.updateIds);
  for (const id of ids.reverse().slice(0, HISTORY_DEPTH)) {
    const { update } = await eks.send(new DescribeUpdateCommand({ name: cluster.name, updateId: id }));
    if (update?.type !== "VersionUpdate" && update?.type !== "VersionRollback") continue;
    if (update.status !== "Successful") continue;
    const to = update.params?.find((p) => p.type === "Version")?.value;
    if (to !== cluster.version) return undefined;
    return {
      type: update.type,
      from: addMinor(to, update.type === "VersionRollback" ? 1 : -1),
      to,
      startedAt: update.createdAt?.getTime() ?? 0,
      updateId: id,
    };
  }
  return undefined;
}

async function observeCluster(clients: Clients, clusterName: string): Promise<Observed> {
  const { eks } = clients;
  const [first, nodegroups, addons, insights] = await Promise.all([
    describeCluster(eks, clusterName),
    listAll(paginateListNodegroups({ client: eks }, { clusterName }), (p) => p.nodegroups).then((names) =>
      mapLimit(names, READ_CONCURRENCY, (n) => describeNodegroup(eks, clusterName, n)),
    ),
    listAll(paginateListAddons({ client: eks }, { clusterName }), (p) => p.addons).then((names) =>
      mapLimit(names, READ_CONCURRENCY, (n) => describeAddon(eks, clusterName, n)),
    ),
    readInsights(eks, clusterName),
  ]);
  let cluster = first;
  // EKS's time, as its answers just told it.
  const observedAt = clients.clock.now();
  const busy: Target[] = [
    ...(cluster.status === "UPDATING" ? [{ kind: "controlPlane" } as const] : []),
    ...nodegroups
      .filter((n) => n.status === "UPDATING")
      .map((n) => ({ kind: "nodegroup", name: n.name }) as const),
    ...addons.filter((a) => a.status === "UPDATING").map((a) => ({ kind: "addon", name: a.name }) as const),
  ];
  const found = await mapLimit(busy, READ_CONCURRENCY, (t) => findInProgressUpdate(eks, clusterName, t));
  // A target that said UPDATING but has no running update: it ended between the two reads. Read
  // the target again rather than report a state that is already gone.
  await mapLimit(
    busy.filter((_, i) => !found[i]),
    READ_CONCURRENCY,
    async (t) => {
      if (t.kind === "controlPlane") cluster = await describeCluster(eks, clusterName);
      else if (t.kind === "nodegroup") replace(nodegroups, await describeNodegroup(eks, clusterName, t.name));
      else replace(addons, await describeAddon(eks, clusterName, t.name));
    },
  );
  const updatesInProgress = found.filter((u): u is ObservedUpdate => u !== undefined);
  return {
    cluster,
    observedAt,
    nodegroups,
    addons,
    insights,
    updatesInProgress,
  };
}

/** The cluster's upgrade- and rollback-readiness insights, with when EKS last evaluated each. */
export async function readInsights(eks: EKSClient, clusterName: string): Promise<ObservedInsight[]> {
  const insights = await listAll(
    paginateListInsights(
      { client: eks },
      { clusterName, filter: { categories: ["UPGRADE_READINESS", "ROLLBACK_READINESS"] } },
    ),
    (p) => p.insights,
  );
  return insights.map((i) => ({
    id: i.id ?? "",
    name: i.name ?? "",
    kubernetesVersion: i.kubernetesVersion ?? "",
    status: i.insightStatus?.status ?? "UNKNOWN",
    category: i.category ?? "",
    reason: i.insightStatus?.reason ?? "",
    lastRefreshTime: i.lastRefreshTime?.getTime(),
  }));
}

/** The newest update of a target that is still InProgress, if any (ListUpdates lists oldest first). */
export async function findInProgressUpdate(
  eks: EKSClient,
  clusterName: string,
  target: Target,
): Promise<ObservedUpdate | undefined> {
  const query = targetQuery(target);
  const ids = await listAll(
    paginateListUpdates({ client: eks }, { name: clusterName, ...query }),
    (p) => p.updateIds,
  );
  for (const id of ids.reverse()) {
    const { update } = await eks.send(
      new DescribeUpdateCommand({ name: clusterName, updateId: id, ...query }),
    );
    if (update?.status === "InProgress") {
      return {
        id,
        target,
        type: update.type ?? "",
        status: update.status,
        params: (update.params ?? []).map((p) => ({ type: p.type ?? "", value: p.value ?? "" })),
      };
    }
  }
  return undefined;
}

export function targetQuery(target: Target): { nodegroupName?: string; addonName?: string } {
  if (target.kind === "nodegroup") return { nodegroupName: target.name };
  if (target.kind === "addon") return { addonName: target.name };
  return {};
}

export async function describeCluster(eks: EKSClient, clusterName: string): Promise<Observed["cluster"]> {
  const { cluster: c } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  const pause = pauseOf(c?.tags);
  return {
    name: clusterName,
    version: c?.version ?? "",
    platformVersion: c?.platformVersion ?? "",
    status: c?.status ?? "UNKNOWN",
    healthIssues: issues(c?.health?.issues),
    supportType: c?.upgradePolicy?.supportType ?? "",
    autoMode: c?.computeConfig?.enabled === true,
    ...(c?.endpoint && c.certificateAuthority?.data
      ? { apiServer: { endpoint: c.endpoint, caData: c.certificateAuthority.data } }
      : {}),
    ...(pause ? { pause } : {}),
  };
}

function replace<T extends { name: string }>(list: T[], fresh: T): void {
  const i = list.findIndex((x) => x.name === fresh.name);
  if (i >= 0) list[i] = fresh;
}

export async function describeNodegroup(
  eks: EKSClient,
  clusterName: string,
  nodegroupName: string,
): Promise<ObservedNodegroup> {
  const { nodegroup: n } = await eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
  return {
    name: nodegroupName,
    version: n?.version ?? "",
    releaseVersion: n?.releaseVersion ?? "",
    amiType: n?.amiType ?? "",
    status: n?.status ?? "UNKNOWN",
    healthIssues: issues(n?.health?.issues),
    desiredSize: n?.scalingConfig?.desiredSize ?? 0,
    maxUnavailable: n?.updateConfig?.maxUnavailable,
    maxUnavailablePercentage: n?.updateConfig?.maxUnavailablePercentage,
    updateStrategy: n?.updateConfig?.updateStrategy,
    launchTemplate: n?.launchTemplate
      ? { id: n.launchTemplate.id, name: n.launchTemplate.name, version: n.launchTemplate.version }
      : undefined,
  };
}

export async function describeAddon(
  eks: EKSClient,
  clusterName: string,
  addonName: string,
): Promise<ObservedAddon> {
  const { addon: a } = await eks.send(new DescribeAddonCommand({ clusterName, addonName }));
  return {
    name: addonName,
    version: a?.addonVersion ?? "",
    status: a?.status ?? "UNKNOWN",
    healthIssues: issues(a?.health?.issues),
  };
}

async function listAll<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []));
  return out;
}

function issues(list: { code?: string; message?: string }[] | undefined): HealthIssue[] {
  return (list ?? []).map((i) => ({ code: i.code ?? "", message: i.message ?? "" }));
}
