import {
  type Clients,
  describePause,
  describePool,
  drainBlockers,
  minorDistance,
  type Observed,
  observe,
  observeKubernetes,
  type ResolvedCatalog,
  resolve,
  unmanagedPools,
  wrapLine,
} from "@eks-upgrade/engine";
import pc from "picocolors";
import { type ClusterOptions, clusterRef, parse } from "./options";
import { daysSince, daysUntil, releaseDate } from "./dates";
import { type Cell, fittedTable, outputWidth } from "./layout";

export interface StatusReport {
  observed: Observed;
  catalog: ResolvedCatalog;
}

/** Reads the cluster and what is current for its minor: the defaults and newest versions, the newest AMIs. */
export async function gatherStatus(clients: Clients, o: ClusterOptions): Promise<StatusReport> {
  const observed = await observe(clients, o.cluster);
  const spec = parse({ ...clusterRef(o), clusterVersion: observed.cluster.version });
  await observeKubernetes(clients, spec, observed);
  return { observed, catalog: await resolve(clients, spec, observed) };
}

/** `now` defaults to EKS's time when it was read; `width` to the terminal's (layout.ts). */
export function renderStatus(
  { observed, catalog }: StatusReport,
  { now = new Date(observed.observedAt), width = outputWidth() }: { now?: Date; width?: number } = {},
): string {
  const c = observed.cluster;
  const minor = c.version;
  const out: string[] = [
    pc.bold(`Cluster ${c.name}`),
    `  Kubernetes ${minor} (platform ${c.platformVersion}), status ${c.status}`,
  ];
  // Support windows as EKS reports them (DescribeClusterVersions), not from a table in the code.
  const support = catalog.kubernetesVersions.find((v) => v.minor === minor);
  if (support?.endOfStandardSupport && support.endOfExtendedSupport) {
    const when = (date: string) => {
      const d = daysUntil(date, now);
      return d >= 0 ? `${date} (in ${d} days)` : pc.red(`${date} (${-d} days ago)`);
    };
    out.push(
      `  Support: ${support.status} (upgrade policy ${c.supportType || "unknown"})`,
      `  End of standard support: ${when(support.endOfStandardSupport)}`,
      `  End of extended support: ${when(support.endOfExtendedSupport)}`,
    );
  } else {
    out.push(`  EKS lists no support dates for ${minor}`);
  }
  if (c.autoMode) out.push("  EKS Auto Mode: EKS upgrades its own nodes after the control plane");
  if (c.pause)
    out.push(
      pc.yellow(`  Upgrades ${describePause(c.pause)}`),
      `  (every run stops before its next step; eks-upgrade resume --cluster ${c.name} lifts it)`,
    );

  // Add-on names and versions wrap inside their cells on a narrow terminal.
  const addons = observed.addons.map((a): Cell[] => {
    const offered = catalog.addonVersions[minor]?.[a.name] ?? [];
    const def = offered.find((v) => v.isDefault)?.version ?? "-";
    const newest = offered[0]?.version ?? "-";
    const running = offered.some((v) => v.version === a.version)
      ? a.version
      : { text: `${a.version} (not offered for this minor)`, paint: pc.red };
    return [a.name, running, def, newest];
  });
  const addonTable = fittedTable(
    width,
    ["add-on", "running", `default for ${minor}`, `newest for ${minor}`],
    addons,
  );
  out.push("", pc.bold("Add-ons"), addons.length ? addonTable : "  none");

  // Second lines in the cells (the skew, the release's age) keep the columns narrow.
  const nodegroups = observed.nodegroups.map((n): Cell[] => {
    const built = releaseDate(n.amiType, n.releaseVersion);
    const behind = minorDistance(n.version, minor);
    const newest = catalog.latestReleases[`${n.amiType}@${minor}`];
    const skew = `${behind} minor${behind === 1 ? "" : "s"} behind`;
    return [
      n.name,
      n.amiType,
      // The skew in yellow: the version's own line stays plain.
      behind > 0
        ? {
            text: `${n.version}\n${skew}`,
            paint: (t) => {
              const [version, ...lines] = t.split("\n");
              return [version, ...lines.map((l) => pc.yellow(l))].join("\n");
            },
          }
        : n.version,
      built ? `${n.releaseVersion}\n${daysSince(built, now)} days old` : n.releaseVersion,
      newest === n.releaseVersion ? "running" : (newest ?? (n.amiType === "CUSTOM" ? "custom AMI" : "none")),
    ];
  });
  const nodegroupTable = fittedTable(
    width,
    ["node group", "AMI type", "Kubernetes", "release", `newest for ${minor}`],
    nodegroups,
  );
  out.push("", pc.bold("Node groups"), nodegroups.length ? nodegroupTable : "  none");
  out.push(...nodeLines(observed));

  out.push("", pc.bold("Upgrade insights"));
  if (!observed.insights.length) out.push("  none");
  for (const i of observed.insights) {
    const status =
      i.status === "ERROR" ? pc.red(i.status) : i.status === "WARNING" ? pc.yellow(i.status) : i.status;
    const line = `  ${status} ${i.name} (Kubernetes ${i.kubernetesVersion})${i.reason ? `: ${i.reason}` : ""}`;
    out.push(...wrapLine(line, width, "    "));
  }
  const health = [
    ...c.healthIssues.map((h) => `cluster: ${h.code}: ${h.message}`),
    ...observed.nodegroups.flatMap((n) =>
      n.healthIssues.map((h) => `node group ${n.name}: ${h.code}: ${h.message}`),
    ),
    ...observed.addons.flatMap((a) => a.healthIssues.map((h) => `add-on ${a.name}: ${h.code}: ${h.message}`)),
  ];
  out.push(
    "",
    pc.bold("Health issues"),
    ...(health.length ? health.flatMap((h) => wrapLine(`  ${h}`, width, "    ")) : ["  none"]),
  );
  return out.join("\n");
}

/** The nodes of each node group as the API server shows them, and the evictions budgets refuse. */
function nodeLines(observed: Observed): string[] {
  if (observed.kubernetesError) return ["", pc.bold("Nodes"), `  ${pc.yellow(observed.kubernetesError)}`];
  const k = observed.kubernetes;
  if (!k) return [];
  const out = ["", pc.bold("Nodes")];
  for (const ng of observed.nodegroups) {
    const nodes = k.nodes.filter((n) => n.nodegroup === ng.name);
    const kubelets = new Map<string, number>();
    for (const n of nodes) kubelets.set(n.kubeletVersion, (kubelets.get(n.kubeletVersion) ?? 0) + 1);
    const notReady = nodes.filter((n) => !n.ready).length;
    const draining = nodes.filter((n) => n.draining).length;
    const versions = [...kubelets].map(([v, count]) => `${count} × kubelet ${v}`).join(", ");
    out.push(
      `  ${ng.name}: ${nodes.length} node${nodes.length === 1 ? "" : "s"}${versions ? ` (${versions})` : ""}` +
        (notReady ? pc.red(`, ${notReady} not Ready`) : "") +
        (draining ? pc.yellow(`, ${draining} draining`) : ""),
    );
    for (const b of drainBlockers(k, ng.name)) out.push(`    ${pc.yellow("eviction refused:")} ${b}`);
  }
  // Nodes outside managed node groups: their kubelets count for the skew policy; their own manager moves them.
  for (const p of unmanagedPools(k)) {
    const kubelets = p.kubelets.map(([v, n]) => `${n} × kubelet ${v}`).join(", ");
    const behind = minorDistance(p.oldest, observed.cluster.version);
    out.push(
      `  ${describePool(p.pool)}: ${p.nodes.length} node${p.nodes.length === 1 ? "" : "s"} (${kubelets})` +
        (behind > 0 ? pc.yellow(`, ${behind} minor${behind === 1 ? "" : "s"} behind`) : "") +
        " — not moved by eks-upgrade",
    );
  }
  return out;
}
