import { z } from "zod";
import { amiFamily } from "./ami";
import { type CheckName, type Finding, finding } from "./checks";
import type { Clients } from "./clients";
import { pausedCluster } from "./pause";
import { estimateMinutes } from "./estimates";
import type { Observed, Plan, ResolvedCatalog, Step } from "./model";
import { lastVersionChange, observe } from "./observe";
import { releaseKey } from "./plan-lookups";
import { formatStep } from "./plan-text";
import { addonVersionsFor, clusterVersions, latestReleasesFor } from "./resolve";
import { type DesiredSpec, DesiredSpecSchema, parseSpec, SpecFields, validated } from "./spec";
import { ROLLBACK_WINDOW_DAYS } from "./support";
import { compareAddonVersions, compareMinor } from "./versions";

/*
 * The guarded rollback, apart from the declarative path (which refuses every downgrade): EKS rolls
 * a control plane back to the minor it came from within 7 days of an in-place upgrade
 * (UpdateClusterVersion to N-1, an update of type VersionRollback). EKS does not take managed node
 * groups or add-ons back: node groups go first, then add-ons N-1 does not offer, then the control
 * plane. `eks-upgrade rollback` plans it by default and runs it with --yes.
 */

const DAY_MS = 86_400_000;

export const RollbackSpecSchema = DesiredSpecSchema.pick({
  clusterName: true,
  region: true,
  endpoints: true,
}).extend({
  rollback: z
    .strictObject({
      /** The minor to go back to; EKS allows only the one the last upgrade left. */
      to: SpecFields.minor.optional(),
      /** ROLLBACK_READINESS insights in ERROR (or UNKNOWN) to roll back despite, by name. */
      acknowledge: z.array(z.string().min(1)).default([]),
      /** EKS cancels the rollback if it takes longer (rollbackConfig.timeoutMinutes). */
      timeoutMinutes: z.number().int().min(120).max(10080).default(720),
      /** Node groups rolled back at once. */
      concurrency: z.number().int().min(1).max(50).default(1),
    })
    .prefault({}),
});

export type RollbackSpec = z.output<typeof RollbackSpecSchema>;

export function parseRollbackSpec(input: unknown): RollbackSpec {
  return validated(RollbackSpecSchema, input);
}

export interface RollbackInspection {
  observed: Observed;
  catalog: ResolvedCatalog;
  plan: Plan;
  /** The spec execute runs the plan with (the cluster, its concurrency, the default deadlines). */
  spec: DesiredSpec;
}

/** Reads what a rollback needs (reads only) and plans it. */
export async function inspectRollback(clients: Clients, spec: RollbackSpec): Promise<RollbackInspection> {
  const observed = await observe(clients, spec.clusterName);
  observed.lastVersionChange = await lastVersionChange(clients.eks, observed.cluster);
  const target = rollbackTarget(observed);
  const ahead = observed.nodegroups.filter((n) => target && compareMinor(n.version, target) > 0);
  const [kubernetesVersions, addonVersions, latestReleases] = await Promise.all([
    clusterVersions(clients),
    // Add-on versions of both minors: what can go back before the control plane, and what only after.
    Promise.all(
      [...new Set([observed.cluster.version, target ?? observed.cluster.version])].map(
        async (m) => [m, await addonVersionsFor(clients, m)] as const,
      ),
    ).then((entries) => Object.fromEntries(entries)),
    latestReleasesFor(
      clients,
      target
        ? ahead.filter((n) => amiFamily(n.amiType)).map((n) => ({ amiType: n.amiType, minor: target }))
        : [],
    ),
  ]);
  const catalog: ResolvedCatalog = {
    kubernetesVersions,
    addonVersions,
    latestReleases,
    publishedReleases: {},
  };
  return {
    observed,
    catalog,
    plan: planRollback(spec, observed, catalog),
    spec: parseSpec({
      clusterName: spec.clusterName,
      region: spec.region,
      endpoints: spec.endpoints,
      clusterVersion: target ?? observed.cluster.version,
      upgrade: { concurrency: spec.rollback.concurrency },
    }),
  };
}

/** The minor the cluster can go back to: the one its last in-place upgrade left. */
function rollbackTarget(observed: Observed): string | undefined {
  const last = observed.lastVersionChange;
  return last?.type === "VersionUpdate" ? last.from : undefined;
}

/** A pure function, like the planner: the rollback's steps in order, or what forbids it. */
export function planRollback(spec: RollbackSpec, observed: Observed, catalog: ResolvedCatalog): Plan {
  const violations: Finding[] = [];
  const warnings: Finding[] = [];
  const refuse = (name: CheckName, field: string, message: string, remedy?: string) =>
    violations.push(finding(name, field, message, remedy));
  const { cluster } = observed;
  if (cluster.pause) refuse("CLUSTER_PAUSED", "clusterName", pausedCluster(cluster.name, cluster.pause));
  const last = observed.lastVersionChange;
  const target = rollbackTarget(observed);
  const result = (steps: Step[], to: string): Plan => {
    const support = [...new Set([cluster.version, to])].flatMap((m) =>
      catalog.kubernetesVersions.filter((v) => v.minor === m),
    );
    const planned = violations.length ? [] : steps;
    return {
      cluster: cluster.name,
      from: cluster.version,
      to,
      support,
      madeAt: new Date(observed.observedAt).toISOString(),
      steps: planned,
      violations,
      warnings,
      lines: planned.map((s, i) => formatStep(s, i)),
    };
  };

  if (!target || !last) {
    refuse(
      "ROLLBACK_NO_UPGRADE",
      "clusterName",
      last?.type === "VersionRollback"
        ? `cluster ${cluster.name} came to ${cluster.version} by a rollback: there is no upgrade to take back`
        : `cluster ${cluster.name} shows no in-place upgrade to ${cluster.version} among its recent updates (created at it, or upgraded long ago): EKS rolls back only an upgrade of the last 7 days`,
    );
    return result([], spec.rollback.to ?? cluster.version);
  }
  const until = last.startedAt + ROLLBACK_WINDOW_DAYS * DAY_MS;
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC";
  if (observed.observedAt > until) {
    refuse(
      "ROLLBACK_WINDOW_PASSED",
      "clusterName",
      `cluster ${cluster.name} was upgraded to ${cluster.version} on ${date(last.startedAt)} (update ${last.updateId}): EKS allows a rollback for ${ROLLBACK_WINDOW_DAYS} days, until ${date(until)}`,
    );
  }
  if (spec.rollback.to !== undefined && spec.rollback.to !== target) {
    refuse(
      "ROLLBACK_TARGET",
      "rollback.to",
      `cluster ${cluster.name} can only roll back to ${target}, the minor its upgrade to ${cluster.version} left; not to ${spec.rollback.to}`,
    );
  }
  const support = catalog.kubernetesVersions.find((v) => v.minor === target);
  if (support?.status === "UNSUPPORTED") {
    refuse(
      "ROLLBACK_TARGET_SUPPORT",
      "rollback.to",
      `Kubernetes ${target} reached the end of extended support on ${support.endOfExtendedSupport}: EKS cannot roll back to it`,
      "There is no way back to this minor on EKS; fix forward on the running one.",
    );
  } else if (support?.status === "EXTENDED_SUPPORT" && cluster.supportType !== "EXTENDED") {
    refuse(
      "ROLLBACK_TARGET_SUPPORT",
      "rollback.to",
      `Kubernetes ${target} is in extended support and cluster ${cluster.name}'s upgrade policy is ${cluster.supportType || "STANDARD"}: EKS rolls back into extended support only under the EXTENDED policy`,
      `Set the upgrade policy first (aws eks update-cluster-config --name ${cluster.name} --upgrade-policy supportType=EXTENDED; extended support is billed), then run again.`,
    );
  }
  const readiness = observed.insights.filter(
    (i) => i.category === "ROLLBACK_READINESS" && (i.status === "ERROR" || i.status === "UNKNOWN"),
  );
  const acknowledged = spec.rollback.acknowledge;
  for (const i of readiness) {
    const text = `rollback-readiness insight "${i.name}" reports ${i.status}${i.reason ? `: ${i.reason}` : ""}`;
    if (acknowledged.includes(i.name))
      warnings.push(finding("ROLLBACK_READINESS_ACCEPTED", "rollback.acknowledge", text));
    else refuse("ROLLBACK_READINESS_BLOCKING", "rollback.acknowledge", text);
  }
  const busy = observed.updatesInProgress.filter(
    (u) => u.type !== "VersionRollback" && u.type !== "VersionUpdate",
  );
  if (cluster.status !== "ACTIVE" && !observed.updatesInProgress.some((u) => u.type === "VersionRollback")) {
    refuse("CLUSTER_NOT_ACTIVE", "clusterName", `cluster ${cluster.name} is ${cluster.status}`);
  }
  for (const u of busy)
    warnings.push(
      finding(
        "UPDATE_IN_PROGRESS",
        "clusterName",
        `update ${u.id} (${u.type}) is in progress; it will be awaited`,
      ),
    );

  const steps: Step[] = [];
  const push = (s: Omit<Step, "estimatedMinutes">, ng?: Observed["nodegroups"][number]) =>
    steps.push({ ...s, estimatedMinutes: estimateMinutes(s.request, ng) });
  // 1. Managed node groups back to the minor the control plane returns to: EKS does not do it.
  for (const ng of [...observed.nodegroups].sort((a, b) => a.name.localeCompare(b.name))) {
    if (compareMinor(ng.version, target) <= 0) continue;
    const release = catalog.latestReleases[releaseKey(ng.amiType, target)];
    if (ng.amiType === "CUSTOM" || !release) {
      refuse(
        "ROLLBACK_BLOCKED",
        "clusterName",
        ng.amiType === "CUSTOM"
          ? `custom-AMI node group ${ng.name} runs ${ng.version}: it goes back by a launch template version whose AMI runs ${target}`
          : `node group ${ng.name} (${ng.amiType}) has no AMI release for ${target}`,
        ng.amiType === "CUSTOM"
          ? `Roll node group ${ng.name} back first (aws eks update-nodegroup-version --launch-template name=...,version=<a version whose AMI runs ${target}>), then run again.`
          : undefined,
      );
      continue;
    }
    push(
      {
        id: `nodegroup:${ng.name}:rollback:${target}`,
        kind: "nodegroup",
        target: ng.name,
        from: `${ng.version} ${ng.releaseVersion}`,
        to: `${target} ${release}`,
        reason: `back to ${target} before the control plane (EKS does not roll node groups back)`,
        phase: 1,
        request: {
          kind: "nodegroup",
          version: target,
          releaseVersion: release,
          force: false,
          rollback: true,
        },
      },
      ng,
    );
  }
  // 2. Add-ons the old minor does not offer go back to the newest version it does: before the
  // control plane when that version runs on both minors, else (kube-proxy, built per minor) right
  // after it, as EKS accepts only versions the running minor offers.
  const offered = (minor: string, addon: string) =>
    (catalog.addonVersions[minor]?.[addon] ?? []).map((v) => v.version);
  const afterControlPlane: Step[] = [];
  for (const addon of [...observed.addons].sort((a, b) => a.name.localeCompare(b.name))) {
    const versions = offered(target, addon.name);
    if (versions.includes(addon.version)) continue;
    const older = versions.filter((v) => compareAddonVersions(v, addon.version) < 0);
    const both = older.find((v) => offered(cluster.version, addon.name).includes(v));
    const back = both ?? older[0];
    if (!back) {
      refuse(
        "ROLLBACK_BLOCKED",
        "clusterName",
        `EKS offers no version of ${addon.name} older than ${addon.version} for Kubernetes ${target}`,
        `Update ${addon.name} by hand to a version Kubernetes ${target} offers (aws eks describe-addon-versions --kubernetes-version ${target}), then run again.`,
      );
      continue;
    }
    const step: Step = {
      id: `addon:${addon.name}:rollback:${back}`,
      kind: "addon",
      target: addon.name,
      from: addon.version,
      to: back,
      reason: both
        ? `${target} does not offer ${addon.version}; ${back} runs on both minors (EKS does not roll add-ons back)`
        : `${target} does not offer ${addon.version}, and no version runs on both: right after the control plane`,
      phase: both ? 2 : 4,
      request: { kind: "addon", addonVersion: back, rollback: true },
      estimatedMinutes: 0,
    };
    if (both) push(step);
    else afterControlPlane.push(step);
  }
  // 3. The control plane, with EKS's own rollback.
  push({
    id: `controlPlane:rollback:${target}`,
    kind: "controlPlane",
    target: cluster.name,
    from: cluster.version,
    to: target,
    reason: `EKS version rollback, allowed until ${date(until)}`,
    phase: 3,
    request: {
      kind: "controlPlane",
      version: target,
      force: readiness.length > 0,
      rollback: { timeoutMinutes: spec.rollback.timeoutMinutes },
    },
  });
  for (const s of afterControlPlane) push(s);
  // Phases numbered densely: a rollback with nothing to take back but the control plane is phase 1.
  const phases = [...new Set(steps.map((s) => s.phase))];
  return result(
    steps.map((s) => ({ ...s, phase: phases.indexOf(s.phase) + 1 })),
    target,
  );
}
