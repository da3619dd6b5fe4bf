import { key } from "./keys";
import { amiFamily, releaseShape, replacementAmiTypes } from "./ami";
import { type CheckName, type Finding, finding } from "./checks";
import { drainFindings } from "./drain-checks";
import { estimateMinutes } from "./estimates";
import { configChange, configured } from "./nodegroup-config";
import { nodeSchedule, releaseKey } from "./plan-lookups";
import { describeTarget, fieldOf, formatStep, issuesText, sameTarget } from "./plan-text";
import type {
  AddonVersionInfo,
  Observed,
  ObservedAddon,
  ObservedNodegroup,
  Plan,
  ResolvedCatalog,
  Step,
  StepRequest,
  Target,
} from "./model";
import { addonPolicy, canaryOrder, type DesiredSpec, nodeGroupPolicy } from "./spec";
import { ROLLBACK_WINDOW_DAYS, supportAlongPath, supportWarnings } from "./support";
import {
  addonMinorSeries,
  allowedKubeletSkew,
  compareAddonVersions,
  compareMinor,
  compareReleases,
  minorsBetween,
  parseAddonVersion,
} from "./versions";

/** Add-ons EKS itself refuses to move by more than one minor version per update. */
const EKS_ENFORCES_ONE_MINOR = new Set(["vpc-cni"]);

/**
 * The planner: a pure function from the desired spec, the observed cluster and the resolved
 * versions to an ordered plan — control plane one minor at a time, each followed by its add-on
 * wave, then the node groups — or the violations that forbid it. It never plans a downgrade.
 */
export function plan(spec: DesiredSpec, observed: Observed, catalog: ResolvedCatalog): Plan {
  return new Planner(spec, observed, catalog).run();
}

class Planner {
  private readonly violations: Finding[] = [];
  private readonly warnings: Finding[] = [];
  private readonly steps: Step[] = [];
  private phase = 0;
  private readonly nodeState = new Map<string, { version: string; release: string }>();
  private readonly from: string;
  private readonly to: string;

  constructor(
    private readonly spec: DesiredSpec,
    private readonly observed: Observed,
    private readonly catalog: ResolvedCatalog,
  ) {
    this.from = observed.cluster.version;
    this.to = spec.clusterVersion;
  }

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
    const path = minorsBetween(this.from, this.to);
    const offered = this.catalog.kubernetesVersions.map((v) => v.minor);
    const missing = path.find((m) => !offered.includes(m));
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
    const addons = this.addonTargets();
    const nodegroups = this.orderedNodegroups();
    const forced = nodeSchedule(nodegroups, this.from, this.to);

    // Resuming while the control plane already moves to its next minor: its add-ons can no longer go first.
    const running = this.inProgress({ kind: "controlPlane" })?.params.find(
      (p) => p.type === "Version",
    )?.value;
    let cp = this.from;
    for (const m of path) {
      const due = forced.filter((f) => f.before === m);
      if (due.length) {
        this.phase++;
        for (const f of due) this.skewStep(f.nodegroup, f.minor, m);
      }
      if (running !== m) {
        this.addonWaves(
          addons,
          cp,
          (t) => this.goalBefore(t, cp, m),
          `compatible with both ${cp} and ${m}, before the control plane moves`,
        );
      }
      this.phase++;
      this.push({
        id: `controlPlane:${m}`,
        kind: "controlPlane",
        target: this.observed.cluster.name,
        from: cp,
        to: m,
        reason: m === this.to ? "target version" : `one minor per step on the way to ${this.to}`,
        request: { kind: "controlPlane", version: m, force: forceAt.has(m) },
      });
      this.addonWaves(
        addons,
        m,
        (t) => this.goalAfter(t, m),
        m === this.to ? `target version for Kubernetes ${m}` : `follows the control plane to ${m}`,
      );
      cp = m;
    }
    if (path.length === 0)
      this.addonWaves(
        addons,
        this.to,
        (t) => this.goalAfter(t, this.to),
        `target version for Kubernetes ${this.to}`,
      );
    this.nodegroupSteps(nodegroups);
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
    return `A rollback is a separate, deliberate operation: EKS can still take ${name} back from ${this.from} to ${this.to} until ${new Date(until).toISOString().slice(0, 16).replace("T", " ")} UTC. Review it with eks-upgrade rollback --cluster ${name}, run it with --yes, then ${key("clusterVersion", this.to)} is what runs. Otherwise keep ${key("clusterVersion")} at ${this.from} or higher.`;
  }

  /** ERROR insights for a minor on the path block it, unless the policy accepts them (then the step is forced). */
  private checkInsights(path: string[]): Set<string> {
    const forceAt = new Set<string>();
    const policy = this.spec.upgrade.insights;
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

  // --- add-ons ---------------------------------------------------------------------------------

  /** Each installed add-on's final version at the target minor; an add-on that cannot get there is a violation. */
  private addonTargets(): {
    addon: ObservedAddon;
    final: string;
    latest: boolean;
    resolveConflicts?: AddonTarget["resolveConflicts"];
  }[] {
    const out: {
      addon: ObservedAddon;
      final: string;
      latest: boolean;
      resolveConflicts?: AddonTarget["resolveConflicts"];
    }[] = [];
    for (const addon of [...this.observed.addons].sort((a, b) => a.name.localeCompare(b.name))) {
      const policy = addonPolicy(this.spec, addon.name);
      const field = `addons.${addon.name}`;
      const atTarget = this.versionsAt(this.to, addon.name);
      const current = addon.version;
      let final: string | undefined;
      if (policy.version === "default" || policy.version === "latest") {
        const chosen =
          policy.version === "latest"
            ? atTarget[0]?.version
            : (atTarget.find((v) => v.isDefault) ?? atTarget[0])?.version;
        if (chosen && compareAddonVersions(chosen, current) >= 0) {
          final = chosen;
        } else if (atTarget.some((v) => v.version === current)) {
          final = current;
          if (chosen) {
            this.warning(
              "ADDON_KEPT_NEWER",
              field,
              `${addon.name} runs ${current}, newer than the ${policy.version} ${chosen} for Kubernetes ${this.to}; it is kept`,
            );
          }
        } else {
          this.violation(
            "ADDON_NO_UPGRADE_PATH",
            field,
            `${addon.name} ${current} is not compatible with Kubernetes ${this.to}, and EKS offers no newer compatible version`,
          );
          continue;
        }
      } else {
        const pinned = policy.version;
        if (compareAddonVersions(pinned, current) < 0) {
          this.violation(
            "ADDON_DOWNGRADE",
            field,
            `${addon.name} runs ${current}; ${pinned} would be a downgrade`,
          );
          continue;
        }
        if (!atTarget.some((v) => v.version === pinned)) {
          this.violation(
            "ADDON_VERSION_UNKNOWN",
            field,
            `${addon.name} ${pinned} is not offered for Kubernetes ${this.to} (newest: ${atTarget[0]?.version ?? "none"})`,
          );
          continue;
        }
        final = pinned;
      }
      out.push({
        addon,
        final,
        latest: policy.version === "latest",
        resolveConflicts: policy.resolveConflicts,
      });
    }
    return out;
  }

  /**
   * One add-on wave per hop: every add-on's k-th hop toward its goal forms wave k, and a wave runs
   * together. `at` is the control plane's minor while the wave runs (each hop must be offered for
   * it); `goal` picks each add-on's version for this moment, or nothing.
   */
  private addonWaves(
    targets: AddonTarget[],
    at: string,
    goal: (t: AddonTarget) => string | undefined,
    reason: string,
  ): void {
    const hopsByAddon = targets.map((t) => {
      const g = goal(t);
      return { t, hops: g ? this.addonHops(t, at, g) : [] };
    });
    const waves = Math.max(0, ...hopsByAddon.map((h) => h.hops.length));
    for (let w = 0; w < waves; w++) {
      this.phase++;
      for (const { t, hops } of hopsByAddon) {
        const to = hops[w];
        if (!to) continue;
        this.push({
          id: `addon:${t.addon.name}:${to}`,
          kind: "addon",
          target: t.addon.name,
          from: w === 0 ? t.addon.version : (hops[w - 1] as string),
          to,
          reason: w < hops.length - 1 ? `one minor version at a time toward ${hops.at(-1)}` : reason,
          request: { kind: "addon", addonVersion: to, resolveConflicts: t.resolveConflicts },
        });
      }
    }
    // Where these hops end is where the next ones start.
    for (const { t, hops } of hopsByAddon)
      if (hops.length) t.addon = { ...t.addon, version: hops.at(-1) as string };
  }

  /**
   * Before the control plane leaves `current` for `next`: an add-on that `next` does not offer
   * moves first to a version both minors offer, when one exists (vpc-cni builds span minors).
   * Add-ons built per minor (kube-proxy) have none and follow after the control plane.
   */
  private goalBefore(t: AddonTarget, current: string, next: string): string | undefined {
    const name = t.addon.name;
    if (this.offers(next, name, t.addon.version)) return undefined;
    // Move as little as possible ahead of the control plane: the lowest series both minors offer.
    const both = this.versionsAt(current, name)
      .map((v) => v.version)
      .filter((v) => this.offers(next, name, v))
      .filter((v) => compareAddonVersions(v, t.addon.version) > 0 && compareAddonVersions(v, t.final) <= 0);
    const lowest = [...both].sort(compareAddonVersions)[0];
    return lowest && both.find((v) => addonMinorSeries(v) === addonMinorSeries(lowest));
  }

  /**
   * Once the control plane runs `minor`: the final version at the target minor; on the way, what
   * the policy picks for this minor (never past the final one), and at least a version it offers.
   */
  private goalAfter(t: AddonTarget, minor: string): string | undefined {
    if (minor === this.to) return compareAddonVersions(t.final, t.addon.version) > 0 ? t.final : undefined;
    const current = t.addon.version;
    const available = this.versionsAt(minor, t.addon.name).filter(
      (v) => compareAddonVersions(v.version, t.final) <= 0,
    );
    const picked = t.latest
      ? available[0]?.version
      : (available.find((v) => v.isDefault) ?? available[0])?.version;
    if (picked && compareAddonVersions(picked, current) > 0) return picked;
    if (this.offers(minor, t.addon.name, current)) return undefined;
    const newer = [...available].reverse().find((v) => compareAddonVersions(v.version, current) > 0)?.version;
    if (!newer) {
      this.violation(
        "ADDON_NO_UPGRADE_PATH",
        `addons.${t.addon.name}`,
        `${t.addon.name} ${current} is not offered for Kubernetes ${minor}, and no newer version up to ${t.final} is`,
      );
    }
    return newer;
  }

  /**
   * The versions an add-on goes through from where it is to `goal`, all offered for `at`: one
   * minor version series at a time (AWS's advice; EKS enforces it for vpc-cni), the newest build
   * of each series on the way.
   */
  private addonHops(t: AddonTarget, at: string, goal: string): string[] {
    const available = this.versionsAt(at, t.addon.name).filter(
      (v) => compareAddonVersions(v.version, goal) <= 0,
    );
    const hops: string[] = [];
    let from = t.addon.version;
    const goalSeries = addonMinorSeries(goal);
    for (;;) {
      const next = available
        .map((v) => v.version)
        .filter((v) => compareAddonVersions(v, from) > 0 && addonMinorSeries(v) !== addonMinorSeries(from))
        .sort(compareAddonVersions)[0];
      const series = next && addonMinorSeries(next);
      const hop =
        series === goalSeries || !next
          ? goal
          : available.find((v) => addonMinorSeries(v.version) === series)?.version;
      if (!hop) return hops;
      if (EKS_ENFORCES_ONE_MINOR.has(t.addon.name) && !oneMinorApart(from, hop)) {
        this.violation(
          "ADDON_NO_UPGRADE_PATH",
          `addons.${t.addon.name}`,
          `${t.addon.name} cannot move from ${from} to ${hop} in one update (one minor version at a time), and Kubernetes ${at} offers nothing in between`,
        );
        return [];
      }
      hops.push(hop);
      if (hop === goal) return hops;
      from = hop;
    }
  }

  private offers(minor: string, addon: string, version: string): boolean {
    return this.versionsAt(minor, addon).some((v) => v.version === version);
  }

  private versionsAt(minor: string, addon: string): AddonVersionInfo[] {
    return this.catalog.addonVersions[minor]?.[addon] ?? [];
  }

  // --- node groups -----------------------------------------------------------------------------

  /** Canary groups first, in the order given, then the others by name. */
  private orderedNodegroups(): ObservedNodegroup[] {
    const byName = new Map(this.observed.nodegroups.map((n) => [n.name, n]));
    const first = canaryOrder(this.spec).flatMap((n) => byName.get(n) ?? []);
    const rest = [...this.observed.nodegroups]
      .filter((n) => !first.includes(n))
      .sort((a, b) => a.name.localeCompare(b.name));
    return [...first, ...rest];
  }

  /** A node group taken to the control plane's minor before the control plane moves on (kubelet skew). */
  private skewStep(ng: ObservedNodegroup, minor: string, before: string): void {
    const field = `nodeGroups.${ng.name}`;
    if (ng.amiType === "CUSTOM") {
      this.violation(
        "CUSTOM_AMI_NEEDS_LAUNCH_TEMPLATE_VERSION",
        `${field}.launchTemplateVersion`,
        `custom-AMI node group ${ng.name} on Kubernetes ${ng.version} must move to ${minor} before the control plane goes to ${before} (kubelet skew); upgrade it to ${minor} with a launch template version first`,
      );
      return;
    }
    const release = this.latestRelease(ng, minor);
    if (!release) return;
    this.push({
      id: `nodegroup:${ng.name}:${minor}`,
      kind: "nodegroup",
      target: ng.name,
      from: `${this.node(ng).version} ${this.node(ng).release}`,
      to: `${minor} ${release}`,
      reason: `kubelet skew: ${ng.version} may not fall more than ${allowedKubeletSkew(ng.version)} minors behind the control plane going to ${before}`,
      request: {
        kind: "nodegroup",
        version: minor,
        releaseVersion: release,
        force: nodeGroupPolicy(this.spec, ng.name).force,
      },
      nodegroup: ng,
    });
    this.nodeState.set(ng.name, { version: minor, release });
  }

  private nodegroupSteps(nodegroups: ObservedNodegroup[]): void {
    const configSteps: Parameters<Planner["push"]>[0][] = [];
    const versionSteps: Parameters<Planner["push"]>[0][] = [];
    for (const observed of nodegroups) {
      const policy = nodeGroupPolicy(this.spec, observed.name);
      const field = `nodeGroups.${observed.name}`;
      const { version, release } = this.node(observed);
      const config = configChange(observed, policy);
      if (config) configSteps.push(config);
      // The version update runs with the settings the config step leaves (its estimate too).
      const ng = config ? { ...observed, ...configured(observed, policy) } : observed;
      const step =
        ng.amiType === "CUSTOM"
          ? this.customStep(ng, version, field)
          : this.managedAmiStep(ng, version, release, field);
      if (step) versionSteps.push(step);
    }
    for (const batch of [configSteps, versionSteps]) {
      if (!batch.length) continue;
      this.phase++;
      for (const s of batch) this.push(s);
    }
  }

  /** A node group's planned version and release: as observed, or where its skew steps left it. */
  private node(ng: ObservedNodegroup): { version: string; release: string } {
    return this.nodeState.get(ng.name) ?? { version: ng.version, release: ng.releaseVersion };
  }

  private managedAmiStep(ng: ObservedNodegroup, version: string, release: string, field: string) {
    const policy = nodeGroupPolicy(this.spec, ng.name);
    if (policy.launchTemplateVersion !== undefined && !ng.launchTemplate) {
      this.violation(
        "NODEGROUP_NO_LAUNCH_TEMPLATE",
        `${field}.launchTemplateVersion`,
        `node group ${ng.name} was not created with a launch template`,
      );
      return undefined;
    }
    const latest = this.latestRelease(ng, this.to);
    if (!latest) return undefined;
    let target = latest;
    if (policy.amiReleaseVersion !== "latest") {
      const pinned = policy.amiReleaseVersion;
      const family = amiFamily(ng.amiType);
      const shape = family ? releaseShape(family, pinned) : { ok: false };
      if (!shape.ok) {
        this.violation(
          "RELEASE_MISMATCH",
          `${field}.amiReleaseVersion`,
          `${pinned} is not a release of node group ${ng.name}'s AMI family (${family}, AMI type ${ng.amiType}; newest for ${this.to}: ${latest})`,
        );
        return undefined;
      }
      if (shape.minor && shape.minor !== this.to) {
        this.violation(
          "RELEASE_MISMATCH",
          `${field}.amiReleaseVersion`,
          `${pinned} is a release for Kubernetes ${shape.minor}, but node group ${ng.name} goes to ${this.to} (newest for ${this.to}: ${latest})`,
        );
        return undefined;
      }
      if (compareReleases(pinned, latest) > 0) {
        this.violation(
          "RELEASE_NOT_PUBLISHED",
          `${field}.amiReleaseVersion`,
          `${pinned} does not exist for ${ng.amiType} on Kubernetes ${this.to}: the newest published release is ${latest}`,
        );
        return undefined;
      }
      if (version === this.to && compareReleases(pinned, release) < 0) {
        this.violation(
          "NODEGROUP_DOWNGRADE",
          `${field}.amiReleaseVersion`,
          `node group ${ng.name} runs ${release}; ${pinned} would be a downgrade`,
        );
        return undefined;
      }
      target = pinned;
    } else if (version === this.to && compareReleases(latest, release) <= 0) {
      return undefined; // already on the newest release (SSM can lag behind what runs: never go back)
    }
    if (version === this.to && target === release) return undefined;
    return {
      id: `nodegroup:${ng.name}:${this.to}`,
      kind: "nodegroup" as const,
      target: ng.name,
      from: `${version} ${release}`,
      to: `${this.to} ${target}`,
      reason: version === this.to ? "newer AMI release" : `follow the control plane to ${this.to}`,
      request: {
        kind: "nodegroup" as const,
        version: this.to,
        releaseVersion: target,
        force: policy.force,
        ...(policy.launchTemplateVersion && ng.launchTemplate
          ? {
              launchTemplate: {
                id: ng.launchTemplate.id,
                name: ng.launchTemplate.name,
                version: policy.launchTemplateVersion,
              },
            }
          : {}),
      },
      nodegroup: ng,
    };
  }

  private customStep(ng: ObservedNodegroup, version: string, field: string) {
    const policy = nodeGroupPolicy(this.spec, ng.name);
    if (policy.amiReleaseVersion !== "latest") {
      this.violation(
        "RELEASE_MISMATCH",
        `${field}.amiReleaseVersion`,
        `node group ${ng.name} runs a custom AMI from its launch template: it has no EKS release; set ${key(`${field}.launchTemplateVersion`)} instead`,
      );
      return undefined;
    }
    const current = ng.launchTemplate?.version;
    const wanted = policy.launchTemplateVersion;
    if (wanted === undefined) {
      if (compareMinor(version, this.to) < 0) {
        this.violation(
          "CUSTOM_AMI_NEEDS_LAUNCH_TEMPLATE_VERSION",
          `${field}.launchTemplateVersion`,
          `node group ${ng.name} runs a custom AMI on Kubernetes ${version}; give the launch template version whose AMI runs ${this.to} (running: ${current ?? "unknown"})`,
        );
      }
      return undefined;
    }
    if (current !== undefined && Number(wanted) < Number(current)) {
      this.violation(
        "LAUNCH_TEMPLATE_DOWNGRADE",
        `${field}.launchTemplateVersion`,
        `node group ${ng.name} runs launch template version ${current}; ${wanted} would be a downgrade`,
      );
      return undefined;
    }
    if (wanted === current) return undefined;
    return {
      id: `nodegroup:${ng.name}:lt${wanted}`,
      kind: "nodegroup" as const,
      target: ng.name,
      from: `launch template ${ng.launchTemplate?.name ?? ng.launchTemplate?.id} v${current}`,
      to: `launch template ${ng.launchTemplate?.name ?? ng.launchTemplate?.id} v${wanted}`,
      reason: "custom AMI: new launch template version",
      request: {
        kind: "nodegroup" as const,
        launchTemplate: { id: ng.launchTemplate?.id, name: ng.launchTemplate?.name, version: wanted },
        force: policy.force,
      },
      nodegroup: ng,
    };
  }

  private latestRelease(ng: ObservedNodegroup, minor: string): string | undefined {
    const release = this.catalog.latestReleases[releaseKey(ng.amiType, minor)];
    if (release) return release;
    const replacements = replacementAmiTypes(ng.amiType);
    this.violation(
      "AMI_NOT_AVAILABLE",
      `nodeGroups.${ng.name}`,
      `node group ${ng.name} uses ${ng.amiType}, which has no AMI for Kubernetes ${minor}`,
      replacements.length
        ? `Move node group ${ng.name} to ${replacements.join(" or ")} (a new node group of that AMI type, then drain and delete the old one) before upgrading to ${minor}.`
        : undefined,
    );
    return undefined;
  }

  // --- output ----------------------------------------------------------------------------------

  private push(s: Omit<Step, "phase" | "estimatedMinutes"> & { nodegroup?: ObservedNodegroup }): void {
    const { nodegroup, ...step } = s;
    this.steps.push({
      ...step,
      phase: this.phase,
      estimatedMinutes: estimateMinutes(step.request, nodegroup),
    });
  }

  private inProgress(target: Target) {
    return this.observed.updatesInProgress.find((u) => sameTarget(u.target, target));
  }

  private violation(name: CheckName, field: string, message: string, remedy?: string): void {
    this.violations.push(finding(name, field, message, remedy));
  }

  private warning(name: CheckName, field: string, message: string): void {
    this.warnings.push(finding(name, field, message));
  }

  /** What the node groups' drains will meet, when the cluster's API server was read. */
  private checkDrains(): void {
    const { kubernetes, kubernetesError } = this.observed;
    if (kubernetesError) this.warning("KUBERNETES_NOT_READ", "upgrade.kubernetesChecks", kubernetesError);
    if (!kubernetes) return;
    const found = drainFindings(this.spec, kubernetes, this.observed.nodegroups, this.steps);
    this.violations.push(...found.violations);
    this.warnings.push(...found.warnings);
  }

  private result(): Plan {
    this.checkDrains();
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

/** An add-on on its way: `addon.version` is where the plan has it so far. */
interface AddonTarget {
  addon: ObservedAddon;
  final: string;
  latest: boolean;
  resolveConflicts?: Extract<StepRequest, { kind: "addon" }>["resolveConflicts"];
}

/** When the oldest upgrade insight was evaluated, as ISO 8601 (undefined when EKS gave no time). */
function oldestEvaluation(observed: Observed): string | undefined {
  const times = observed.insights.flatMap((i) =>
    i.category === "UPGRADE_READINESS" && i.lastRefreshTime !== undefined ? [i.lastRefreshTime] : [],
  );
  return times.length ? new Date(Math.min(...times)).toISOString() : undefined;
}

function oneMinorApart(from: string, to: string): boolean {
  const a = parseAddonVersion(from);
  const b = parseAddonVersion(to);
  return !!a && !!b && a.major === b.major && Math.abs(b.minor - a.minor) <= 1;
}
