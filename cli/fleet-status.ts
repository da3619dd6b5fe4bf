import {
  type ClusterRef,
  clusterVersions,
  createClients,
  destroyClients,
  extendedSupportExtraPerMonth,
  lastVersionChange,
  type Observed,
  observe,
  operationalFinding,
  wrapLine,
} from "@eks-upgrade/engine";
import { daysSince, daysUntil, releaseDate } from "./dates";
import { clusterRefOf, eachStack } from "./fleet-stacks";
import { readStackOutputsAsync, type StackOutputs } from "./stack-outputs";
import type { Fleet } from "../infra/fleet";
import { fittedTable, outputWidth } from "./layout";

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
  /**
   * What runs in EKS that the stack's outputs (its last run) do not say: moved outside the stack.
   * Undefined with `driftUnknown` when the outputs could not be read or the stack never ran.
   */
  drift?: string[] | undefined;
  driftUnknown?: string | undefined;
  /** Why the stack could not be read (then only stage, stack and what its config says are known). */
  error?: string | undefined;
}

export async function fleetStatus(
  fleet: Fleet,
  progress?: (done: number, total: number) => void,
): Promise<FleetRow[]> {
  return (await eachStack(fleet, stackRow, progress)).sort(byUrgency);
}

async function stackRow(stage: string, stack: string): Promise<FleetRow> {
  let ref: ClusterRef;
  try {
    ref = clusterRefOf(stack);
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
    const [observed, versions, recorded] = await Promise.all([
      observe(clients, ref.clusterName),
      clusterVersions(clients),
      readStackOutputsAsync(stack),
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
      ...("error" in recorded
        ? { driftUnknown: `the stack's outputs could not be read: ${recorded.error}` }
        : typeof recorded.outputs.controlPlaneVersion !== "string"
          ? { driftUnknown: "the stack has not run yet (no outputs)" }
          : { drift: versionDrift(recorded.outputs, observed) }),
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
 * What EKS runs that the stack's outputs do not say, one line each: "control plane 1.34 -> 1.35",
 * "node group general 1.34.9-20260714 -> 1.35.8-20260930", "add-on coredns gone". Only what the
 * stack records is compared (a node group it does not manage is not its drift).
 */
export function versionDrift(outputs: StackOutputs, observed: Observed): string[] {
  const out: string[] = [];
  const record = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});
  if (outputs.controlPlaneVersion !== observed.cluster.version)
    out.push(`control plane ${String(outputs.controlPlaneVersion)} -> ${observed.cluster.version}`);
  const compare = (what: string, recorded: Record<string, unknown>, running: Map<string, string>) => {
    for (const [name, was] of Object.entries(recorded)) {
      const now = running.get(name);
      if (now === undefined) out.push(`${what} ${name} gone`);
      else if (now !== was) out.push(`${what} ${name} ${String(was)} -> ${now}`);
    }
  };
  compare(
    "node group",
    record(outputs.nodeGroupReleases),
    new Map(observed.nodegroups.map((n) => [n.name, n.releaseVersion])),
  );
  compare("add-on", record(outputs.addonVersions), new Map(observed.addons.map((a) => [a.name, a.version])));
  return out;
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

/**
 * "ends": the end of the support the cluster is in now (standard, then extended); "+$/month":
 * extended support's extra; "drift": what moved outside the stack since its last up.
 */
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
  "drift",
  "upgraded",
];

/** What a narrow terminal leaves out first. */
const NARROW_DROPS = ["upgraded", "AMI age", "drift", "stage"];

function cells(r: FleetRow): string[] {
  if (r.error)
    return [r.stage, r.stack, r.cluster, "?", "?", "?", "?", "?", `cannot read: ${r.error}`, "?", "?"];
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
    r.drift ? (r.drift.length ? `${r.drift.length} moved` : "none") : "?",
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
  const names = dropped.length > 1 ? `${dropped.slice(0, -1).join(", ")} and ${dropped.at(-1)}` : dropped[0];
  const note = dropped.length ? `\n(${names} left out to fit ${width} columns: --format json has them.)` : "";
  const tail = `${summary(rows, unstaged)}${note}`.split("\n").flatMap((l) => wrapLine(l, width, "  "));
  return `${table}\n\n${tail.join("\n")}`;
}
