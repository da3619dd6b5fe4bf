import { key } from "./keys";
import { poolsBeyondSkew, unmanagedPools } from "./node-pools";
import { drainFindings } from "./drain-checks";
import type { Observed, Plan, ResolvedCatalog, Target } from "./model";
import { pausedCluster } from "./pause";
import { AddonPlanner } from "./plan-addons";
import { PlanDraft } from "./plan-draft";
import { nodeSchedule } from "./plan-lookups";
import { NodegroupPlanner } from "./plan-nodegroups";
import { describeTarget, fieldOf, formatStep, issuesText, sameTarget } from "./plan-text";
import type { DesiredSpec } from "./spec";
import { ROLLBACK_WINDOW_DAYS, supportAlongPath, supportWarnings } from "./support";
import { clusterFlags } from "./text";
import { compareMinor, minorsBetween } from "./versions";

/**
 * The planner: a pure function from the desired spec, the observed cluster and the resolved
 * versions to an ordered plan — control plane one minor at a time, each followed by its add-on
 * wave, then the node groups — or the violations that forbid it. It never plans a downgrade.
 */
export function plan(spec: DesiredSpec, observed: Observed, catalog: ResolvedCatalog): Plan {
  return new Planner(spec, observed, catalog).run();
}

/**
 * The cluster-wide part of the plan (refusals, the control-plane path, insights, the bake hold,
 * drains) and the order of everything; add-ons and node groups plan their own steps.
 */
class Planner extends PlanDraft {
  private readonly addons = new AddonPlanner(this);
  private readonly nodegroups = new NodegroupPlanner(this);

  run(): Plan {
    this.checkCluster();
    this.checkNames();
    if (compareMinor(this.to, this.from) < 0) {
      this.violation(
        "CONTROL_PLANE_DOWNGRADE",
        "clusterVersion",
        `${this.to} is lower than the control plane's ${this.from}; the upgrade never moves a version down`,
        this.rollbackRemedy(),
      );
      return this.result();
    }
    // The control plane already moving past the target (another run's update, or EKS's own at the
    // end of extended support): what it ends on is what runs, and the target would be below it.
    const { update: moving, to: movingTo } = this.controlPlaneMoving();
    if (movingTo && compareMinor(this.to, movingTo) < 0) {
      this.violation(
        "CONTROL_PLANE_DOWNGRADE",
        "clusterVersion",
        `${this.to} is lower than ${movingTo}, where the control plane is already going (update ${moving?.id}); the upgrade never moves a version down`,
        `Set ${key("clusterVersion", movingTo)} or higher: the update in progress cannot be stopped.`,
      );
      return this.result();
    }
    const path = minorsBetween(this.from, this.to);
    const offered = this.catalog.kubernetesVersions.map((v) => v.minor);
    // The target itself first: a minor EKS does not offer at all is the news, not a gap on the way.
    const missing = offered.includes(this.to) ? path.find((m) => !offered.includes(m)) : this.to;
    if (missing) {
      this.violation(
        "KUBERNETES_VERSION_NOT_OFFERED",
        "clusterVersion",
        `EKS does not offer Kubernetes ${missing === this.to ? this.to : `${missing}, on the way from ${this.from} to ${this.to}`} (offered: ${offered.join(", ")})`,
      );
      return this.result();
    }
    this.warnings.push(...supportWarnings(this.observed, this.catalog, this.to));
    if (this.observed.cluster.autoMode && path.length) {
      const managed = this.observed.nodegroups.length;
      this.warning(
        "AUTO_MODE_NODES",
        "clusterVersion",
        `cluster ${this.observed.cluster.name} runs EKS Auto Mode: after the control plane reaches ${this.to}, EKS replaces the nodes of its node pools by itself; this plan covers the control plane, add-ons and ${managed} managed node group${managed === 1 ? "" : "s"}`,
      );
    }
    const forceAt = this.checkInsights(path);
    const addons = this.addons.targets();
    const nodegroups = this.nodegroups.ordered();
    const forced = nodeSchedule(nodegroups, this.from, this.to);

    let cp = this.from;
    for (const m of path) {
      const due = forced.filter((f) => f.before === m);
      if (due.length) {
        this.nextPhase();
        for (const f of due) this.nodegroups.skewStep(f.nodegroup, f.minor, m);
      }
      // Resuming while the control plane already moves to this minor: its add-ons can no longer go first.
      if (movingTo !== m) {
        this.addons.waves(
          addons,
          cp,
          (t) => this.addons.goalBefore(t, cp, m),
          `compatible with both ${cp} and ${m}, before the control plane moves`,
        );
      }
      this.nextPhase();
      this.push({
        id: `controlPlane:${m}`,
        kind: "controlPlane",
        target: this.observed.cluster.name,
        from: cp,
        to: m,
        reason: m === this.to ? "target version" : `one minor per step on the way to ${this.to}`,
        request: { kind: "controlPlane", version: m, force: forceAt.has(m) },
      });
      this.addons.waves(
        addons,
        m,
        (t) => this.addons.goalAfter(t, m),
        m === this.to ? `target version for Kubernetes ${m}` : `follows the control plane to ${m}`,
      );
      cp = m;
    }
    if (path.length === 0)
      this.addons.waves(
        addons,
        this.to,
        (t) => this.addons.goalAfter(t, this.to),
        `target version for Kubernetes ${this.to}`,
      );
    this.nodegroups.steps(nodegroups);
    this.holdForBake();
    return this.result();
  }

  /**
   * With a bake period, what follows the last control-plane step waits: in this run when the plan
   * moves the control plane, or until the period has passed since the last upgrade reached the
   * target. Steps before it (add-ons valid on both minors, the control plane) run as planned.
   */
  private holdForBake(): void {
    const hours = this.spec.upgrade.bakeHours;
    if (hours <= 0 || this.violations.length) return;
    const lastCp = this.steps.map((s) => s.kind).lastIndexOf("controlPlane");
    const last = this.observed.lastVersionChange;
    const until =
      lastCp < 0 && last?.type === "VersionUpdate" && last.to === this.to
        ? last.startedAt + hours * 3_600_000
        : undefined;
    if (lastCp < 0 && (until === undefined || until <= this.observed.observedAt)) return;
    const held = this.steps.splice(lastCp + 1);
    if (!held.length) return;
    const nodegroups = held.filter((s) => s.kind === "nodegroup").length;
    const what = [
      `${nodegroups} node group update${nodegroups === 1 ? "" : "s"}`,
      `${held.length - nodegroups} other step${held.length - nodegroups === 1 ? "" : "s"}`,
    ].join(" and ");
    this.warning(
      "BAKE_HOLD",
      "upgrade.bakeHours",
      until === undefined
        ? `${what} wait until the control plane has run ${this.to} for ${hours} hours: run again ${hours} hours after it gets there`
        : `${what} wait until the control plane has run ${this.to} for ${hours} hours, until ${new Date(until).toISOString().slice(0, 16).replace("T", " ")} UTC (upgrade ${last?.updateId})`,
    );
  }

  // --- checks ----------------------------------------------------------------------------------

  private checkCluster(): void {
    const { cluster } = this.observed;
    const resuming = cluster.status === "UPDATING" && this.inProgress({ kind: "controlPlane" });
    if (cluster.status !== "ACTIVE" && !resuming) {
      this.violation(
        "CLUSTER_NOT_ACTIVE",
        "clusterName",
        `cluster ${cluster.name} is ${cluster.status}${issuesText(cluster.healthIssues)}`,
      );
    }
    if (cluster.pause)
      this.violation("CLUSTER_PAUSED", "clusterName", pausedCluster(cluster.name, cluster.pause));
    for (const u of this.observed.updatesInProgress) {
      this.warning(
        "UPDATE_IN_PROGRESS",
        fieldOf(u.target),
        `update ${u.id} (${u.type}) is in progress on ${describeTarget(u.target)}; it will be awaited`,
      );
    }
    for (const ng of this.observed.nodegroups) {
      if (ng.status === "DEGRADED") {
        this.violation(
          "NODEGROUP_DEGRADED",
          `nodeGroups.${ng.name}`,
          `node group ${ng.name} is DEGRADED${issuesText(ng.healthIssues)}`,
        );
      }
    }
  }

  private checkNames(): void {
    const ngs = new Set(this.observed.nodegroups.map((n) => n.name));
    const addons = new Set(this.observed.addons.map((a) => a.name));
    for (const name of Object.keys(this.spec.nodeGroups)) {
      if (!ngs.has(name)) {
        this.violation(
          "NODEGROUP_UNKNOWN",
          `nodeGroups.${name}`,
          `cluster ${this.observed.cluster.name} has no node group ${name} (it has: ${[...ngs].join(", ") || "none"})`,
        );
      }
    }
    for (const name of Object.keys(this.spec.addons)) {
      if (!addons.has(name)) {
        this.violation(
          "ADDON_UNKNOWN",
          `addons.${name}`,
          `add-on ${name} is not installed on cluster ${this.observed.cluster.name} (installed: ${[...addons].join(", ") || "none"})`,
        );
      }
    }
  }

  /** When EKS could still roll the control plane back to the lowered target: how, on purpose. */
  private rollbackRemedy(): string | undefined {
    const last = this.observed.lastVersionChange;
    const until = last ? last.startedAt + ROLLBACK_WINDOW_DAYS * 86_400_000 : 0;
    if (last?.type !== "VersionUpdate" || last.from !== this.to || this.observed.observedAt > until)
      return undefined;
    const name = this.observed.cluster.name;
    const rollback = `eks-upgrade rollback ${clusterFlags(this.spec)}`;
    const deadline = new Date(until).toISOString().slice(0, 16).replace("T", " ");
    return `A rollback is a separate, deliberate operation: EKS can still take ${name} back from ${this.from} to ${this.to} until ${deadline} UTC. To roll back: (1) review the rollback plan with ${rollback}; (2) run the same command with --yes; (3) then record what runs: ${key("clusterVersion", this.to)}. Otherwise keep ${key("clusterVersion")} at ${this.from} or higher.`;
  }

  /** ERROR insights for a minor on the path block it, unless the policy accepts them (then the step is forced). */
  private checkInsights(path: string[]): Set<string> {
    const forceAt = new Set<string>();
    const policy = this.spec.upgrade.insights;
    if (Array.isArray(policy)) {
      const names = [
        ...new Set(
          this.observed.insights.filter((i) => i.category === "UPGRADE_READINESS").map((i) => i.name),
        ),
      ];
      for (const name of policy.filter((n) => !names.includes(n)))
        this.violation(
          "INSIGHT_UNKNOWN",
          "upgrade.insights",
          `cluster ${this.observed.cluster.name} has no upgrade insight named "${name}" (its insights: ${names.map((n) => `"${n}"`).join(", ") || "none"})`,
        );
    }
    for (const insight of this.observed.insights) {
      if (insight.category !== "UPGRADE_READINESS" || !path.includes(insight.kubernetesVersion)) continue;
      const text = `insight "${insight.name}" reports ${insight.status} for Kubernetes ${insight.kubernetesVersion}${insight.reason ? `: ${insight.reason}` : ""}`;
      if (insight.status === "ERROR") {
        const accepted = policy === "warn" || (Array.isArray(policy) && policy.includes(insight.name));
        if (accepted) {
          forceAt.add(insight.kubernetesVersion);
          this.warning("INSIGHT_ACCEPTED", "upgrade.insights", text);
        } else {
          this.violation("INSIGHT_BLOCKING", "upgrade.insights", text);
        }
      } else if (insight.status === "WARNING") {
        this.warning("INSIGHT_WARNING", "upgrade.insights", text);
      }
    }
    return forceAt;
  }

  private inProgress(target: Target) {
    return this.observed.updatesInProgress.find((u) => sameTarget(u.target, target));
  }

  /** The control-plane update already running, and the minor it takes the control plane to. */
  private controlPlaneMoving() {
    const update = this.inProgress({ kind: "controlPlane" });
    return { update, to: update?.params.find((p) => p.type === "Version")?.value };
  }

  // --- output ----------------------------------------------------------------------------------

  /**
   * What the API server shows, when it was read: what the node groups' drains will meet, and the
   * nodes outside managed node groups that the control-plane steps would leave beyond the skew
   * policy.
   */
  private checkKubernetes(): void {
    const { kubernetes, kubernetesError } = this.observed;
    if (kubernetesError) this.warning("KUBERNETES_NOT_READ", "upgrade.kubernetesChecks", kubernetesError);
    if (!kubernetes) return;
    const found = drainFindings(this.spec, kubernetes, this.observed.nodegroups, this.steps);
    this.violations.push(...found.violations);
    this.warnings.push(...found.warnings);
    const path = this.steps.filter((s) => s.kind === "controlPlane").map((s) => s.to);
    for (const f of poolsBeyondSkew(unmanagedPools(kubernetes), path))
      this.violation("NODES_BEYOND_SKEW", "clusterVersion", f.message, f.remedy);
  }

  private result(): Plan {
    this.checkKubernetes();
    // Renumber phases densely (skipped waves leave gaps) so they read 1, 2, 3...
    const phases = [...new Set(this.steps.map((s) => s.phase))];
    const steps = this.violations.length
      ? []
      : this.steps.map((s) => ({ ...s, phase: phases.indexOf(s.phase) + 1 }));
    return {
      cluster: this.observed.cluster.name,
      from: this.from,
      to: this.to,
      support: supportAlongPath(this.observed, this.catalog, this.to),
      madeAt: new Date(this.observed.observedAt).toISOString(),
      insightsEvaluatedAt: oldestEvaluation(this.observed),
      steps,
      violations: this.violations,
      warnings: this.warnings,
      lines: steps.map((s, i) => formatStep(s, i)),
    };
  }
}

/** When the oldest upgrade insight was evaluated, as ISO 8601 (undefined when EKS gave no time). */
function oldestEvaluation(observed: Observed): string | undefined {
  const times = observed.insights.flatMap((i) =>
    i.category === "UPGRADE_READINESS" && i.lastRefreshTime !== undefined ? [i.lastRefreshTime] : [],
  );
  return times.length ? new Date(Math.min(...times)).toISOString() : undefined;
}
