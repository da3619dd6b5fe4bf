import {
  type ClusterRef,
  clusterVersions,
  createClients,
  destroyClients,
  extendedSupportExtraPerMonth,
  lastVersionChange,
  mapLimit,
  observe,
  operationalFinding,
  parseClusterRef,
} from "@eks-upgrade/engine";
import { daysSince, daysUntil, releaseDate } from "./dates";
import type { Fleet } from "../infra/fleet";
import { fittedTable, outputWidth } from "./layout";
import { fromStack } from "./options";

/**
 * `eks-upgrade fleet status`: one row per stack of the fleet, read from each stack's config (its
 * cluster, region and endpoint) and from EKS (the cluster, its updates, DescribeClusterVersions'
 * support dates), the most urgent first.
 */
export interface FleetRow {
  stage: string;
  stack: string;
  cluster: string;
  region: string;
  kubernetesVersion?: string | undefined;
  /** STANDARD_SUPPORT, EXTENDED_SUPPORT or UNSUPPORTED, as DescribeClusterVersions says. */
  support?: string | undefined;
  endOfStandardSupport?: string | undefined;
  endOfExtendedSupport?: string | undefined;
  daysToEndOfStandardSupport?: number | undefined;
  daysToEndOfExtendedSupport?: number | undefined;
  /** What extended support adds a month (USD), 0 in standard support. */
  extendedSupportUsdPerMonth: number;
  /** The oldest AMI release its node groups run and its age, where the release carries a date. */
  oldestAmi?: { nodegroup: string; releaseVersion: string; days: number } | undefined;
  /** "updating (2)", "paused", "degraded: <what>", or "ok". */
  state: string;
  /** When the control plane last moved minor (the start of that update), if among its recent updates. */
  lastUpgrade?: string | undefined;
  /** Why the stack could not be read (then only stage, stack and what its config says are known). */
  error?: string | undefined;
}

/** How many stacks are read at once (each is a handful of EKS calls). */
const READ_AT_ONCE = 8;

export async function fleetStatus(
  fleet: Fleet,
  progress?: (done: number, total: number) => void,
): Promise<FleetRow[]> {
  const stacks = fleet.stages.flatMap((s) => s.selected.map((stack) => ({ stage: s.name, stack })));
  let done = 0;
  const rows = await mapLimit(stacks, READ_AT_ONCE, async ({ stage, stack }) => {
    const row = await stackRow(stage, stack);
    progress?.(++done, stacks.length);
    return row;
  });
  return rows.sort(byUrgency);
}

async function stackRow(stage: string, stack: string): Promise<FleetRow> {
  let ref: ClusterRef;
  try {
    const { input } = fromStack(stack, { promotion: false });
    ref = parseClusterRef({
      clusterName: input.clusterName,
      region: input.region ?? process.env.AWS_REGION,
      endpoints: input.endpoints,
    });
  } catch (e) {
    return {
      stage,
      stack,
      cluster: "?",
      region: "?",
      extendedSupportUsdPerMonth: 0,
      state: "?",
      error: (e as Error).message,
    };
  }
  const base = { stage, stack, cluster: ref.clusterName, region: ref.region };
  const clients = createClients(ref);
  try {
    const [observed, versions] = await Promise.all([
      observe(clients, ref.clusterName),
      clusterVersions(clients),
    ]);
    const change = await lastVersionChange(clients.eks, observed.cluster);
    const c = observed.cluster;
    const support = versions.find((v) => v.minor === c.version);
    const now = new Date(observed.observedAt);
    const days = (date: string | undefined) => (date ? daysUntil(date, now) : undefined);
    const amis = observed.nodegroups.flatMap((n) => {
      const built = releaseDate(n.amiType, n.releaseVersion);
      return built
        ? [{ nodegroup: n.name, releaseVersion: n.releaseVersion, days: daysSince(built, now) }]
        : [];
    });
    const degraded = [
      ...(c.status !== "ACTIVE" && c.status !== "UPDATING" ? [`cluster ${c.status}`] : []),
      ...observed.nodegroups.filter((n) => n.status === "DEGRADED").map((n) => `node group ${n.name}`),
      ...observed.addons
        .filter((a) => a.status === "UPDATE_FAILED" || a.status === "DEGRADED")
        .map((a) => `add-on ${a.name}`),
    ];
    const state = c.pause
      ? "paused"
      : observed.updatesInProgress.length
        ? `updating (${observed.updatesInProgress.length})`
        : degraded.length
          ? `degraded: ${degraded.join(", ")}`
          : "ok";
    return {
      ...base,
      kubernetesVersion: c.version,
      support: support?.status,
      endOfStandardSupport: support?.endOfStandardSupport,
      endOfExtendedSupport: support?.endOfExtendedSupport,
      daysToEndOfStandardSupport: days(support?.endOfStandardSupport),
      daysToEndOfExtendedSupport: days(support?.endOfExtendedSupport),
      extendedSupportUsdPerMonth: extendedSupportExtraPerMonth(support?.status),
      oldestAmi: amis.sort((a, b) => b.days - a.days)[0],
      state,
      lastUpgrade: change ? new Date(change.startedAt).toISOString().slice(0, 10) : undefined,
    };
  } catch (e) {
    const at = { clusterName: ref.clusterName, region: ref.region, endpoint: ref.endpoints?.eks };
    const f = operationalFinding(e, at);
    return {
      ...base,
      extendedSupportUsdPerMonth: 0,
      state: "?",
      error: f ? `${f.code} ${f.message}` : (e as Error).message,
    };
  } finally {
    destroyClients(clients);
  }
}

/**
 * Days until the support the cluster is in now ends: standard support's end while in it, extended
 * support's after (negative once past). Unreadable stacks first: nobody knows how urgent they are.
 */
export function urgencyDays(r: FleetRow): number {
  if (r.error) return Number.NEGATIVE_INFINITY;
  const days = r.support === "STANDARD_SUPPORT" ? r.daysToEndOfStandardSupport : r.daysToEndOfExtendedSupport;
  return days ?? Number.POSITIVE_INFINITY;
}

function byUrgency(a: FleetRow, b: FleetRow): number {
  return urgencyDays(a) - urgencyDays(b) || a.stack.localeCompare(b.stack);
}

/** "ends": the end of the support the cluster is in now (standard, then extended); "+$/month": extended support's extra. */
const HEADERS = [
  "stage",
  "stack",
  "cluster",
  "version",
  "support",
  "ends",
  "+$/month",
  "AMI age",
  "state",
  "upgraded",
];

/** What a narrow terminal leaves out first. */
const NARROW_DROPS = ["upgraded", "AMI age", "stage"];

function cells(r: FleetRow): string[] {
  if (r.error) return [r.stage, r.stack, r.cluster, "?", "?", "?", "?", "?", `cannot read: ${r.error}`, "?"];
  const end = urgencyDays(r);
  return [
    r.stage,
    r.stack,
    r.cluster,
    r.kubernetesVersion ?? "?",
    (r.support ?? "unknown").replace("_SUPPORT", "").toLowerCase(),
    Number.isFinite(end) ? (end >= 0 ? `${end} days` : `${-end} days ago`) : "-",
    r.extendedSupportUsdPerMonth ? `$${r.extendedSupportUsdPerMonth}` : "-",
    r.oldestAmi ? `${r.oldestAmi.days} days` : "-",
    r.state,
    r.lastUpgrade ?? "-",
  ];
}

/** The fleet's extended-support bill a month, for the line under the table. */
function extraPerMonth(rows: FleetRow[]): number {
  return rows.reduce((sum, r) => sum + r.extendedSupportUsdPerMonth, 0);
}

function summary(rows: FleetRow[], unstaged: string[]): string {
  const extended = rows.filter((r) => r.extendedSupportUsdPerMonth > 0).length;
  const lines = [
    `${rows.length} stacks; ${extended} in extended support${extended ? ` (+$${extraPerMonth(rows)} a month over standard support)` : ""}.`,
  ];
  if (unstaged.length) lines.push(`Not in any stage of the fleet file: ${unstaged.join(", ")}.`);
  return lines.join("\n");
}

export function renderFleetStatus(
  rows: FleetRow[],
  unstaged: string[],
  format: "table" | "markdown" | "json",
  width = outputWidth(),
): string {
  if (format === "json") return JSON.stringify({ stacks: rows, unstaged }, null, 2);
  if (format === "markdown") {
    const escape = (s: string) => s.replaceAll("|", "\\|");
    return [
      `| ${HEADERS.join(" | ")} |`,
      `| ${HEADERS.map(() => "---").join(" | ")} |`,
      ...rows.map((r) => `| ${cells(r).map(escape).join(" | ")} |`),
      "",
      summary(rows, unstaged),
    ].join("\n");
  }
  // A narrow terminal: the columns least needed to decide go first, and the summary says so.
  let keep = HEADERS.map((_, i) => i);
  const all = rows.map(cells);
  const natural = (cols: number[]) =>
    cols.reduce(
      (sum, c) => sum + Math.max(HEADERS[c]?.length ?? 0, ...all.map((r) => r[c]?.length ?? 0)) + 2,
      0,
    );
  const dropped: string[] = [];
  for (const name of NARROW_DROPS) {
    if (natural(keep) <= width) break;
    keep = keep.filter((c) => HEADERS[c] !== name);
    dropped.push(name);
  }
  const head = keep.map((c) => (HEADERS[c] ?? "").toUpperCase());
  const table = fittedTable(
    width,
    head,
    all.map((r) => keep.map((c) => r[c] ?? "")),
    { plain: true },
  );
  const note = dropped.length
    ? `\n(${dropped.join(" and ")} left out to fit ${width} columns: --format json has them.)`
    : "";
  return `${table}\n\n${summary(rows, unstaged)}${note}`;
}
