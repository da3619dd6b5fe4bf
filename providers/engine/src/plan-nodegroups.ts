import { key } from "./keys";
import { amiFamily, replacementAmiTypes } from "./ami";
import { configChange, configured } from "./nodegroup-config";
import type { ObservedNodegroup } from "./model";
import type { DraftStep, PlanDraft } from "./plan-draft";
import { pinKey, releaseKey } from "./plan-lookups";
import { compareReleases, parseRelease, releaseExample } from "./releases";
import { canaryOrder, nodeGroupPolicy } from "./spec";
import { allowedKubeletSkew, compareMinor } from "./versions";

/**
 * The node-group part of the plan: the steps the kubelet skew forces between control-plane
 * steps, then each group's config and version (or launch template) update to the target, with
 * every refusal a pinned release, a custom AMI or a missing AMI calls for.
 */
export class NodegroupPlanner {
  /** Where skew steps have taken a node group so far. */
  private readonly nodeState = new Map<string, { version: string; release: string }>();

  constructor(private readonly draft: PlanDraft) {}

  /** Canary groups first, in the order given, then the others by name. */
  ordered(): ObservedNodegroup[] {
    const byName = new Map(this.draft.observed.nodegroups.map((n) => [n.name, n]));
    const first = canaryOrder(this.draft.spec).flatMap((n) => byName.get(n) ?? []);
    const rest = [...this.draft.observed.nodegroups]
      .filter((n) => !first.includes(n))
      .sort((a, b) => a.name.localeCompare(b.name));
    return [...first, ...rest];
  }

  /** A node group taken to the control plane's minor before the control plane moves on (kubelet skew). */
  skewStep(ng: ObservedNodegroup, minor: string, before: string): void {
    const field = `nodeGroups.${ng.name}`;
    if (ng.amiType === "CUSTOM") {
      this.draft.violation(
        "CUSTOM_AMI_NEEDS_LAUNCH_TEMPLATE_VERSION",
        `${field}.launchTemplateVersion`,
        `custom-AMI node group ${ng.name} on Kubernetes ${ng.version} must move to ${minor} before the control plane goes to ${before} (kubelet skew); upgrade it to ${minor} with a launch template version first`,
      );
      return;
    }
    const release = this.latestRelease(ng, minor);
    if (!release) return;
    this.draft.push({
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
        force: nodeGroupPolicy(this.draft.spec, ng.name).force,
      },
      nodegroup: ng,
    });
    this.nodeState.set(ng.name, { version: minor, release });
  }

  steps(nodegroups: ObservedNodegroup[]): void {
    const configSteps: DraftStep[] = [];
    const versionSteps: DraftStep[] = [];
    for (const observed of nodegroups) {
      const policy = nodeGroupPolicy(this.draft.spec, observed.name);
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
      this.draft.nextPhase();
      for (const s of batch) this.draft.push(s);
    }
  }

  /** A node group's planned version and release: as observed, or where its skew steps left it. */
  private node(ng: ObservedNodegroup): { version: string; release: string } {
    return this.nodeState.get(ng.name) ?? { version: ng.version, release: ng.releaseVersion };
  }

  private managedAmiStep(ng: ObservedNodegroup, version: string, release: string, field: string) {
    const policy = nodeGroupPolicy(this.draft.spec, ng.name);
    if (policy.launchTemplateVersion !== undefined && !ng.launchTemplate) {
      this.draft.violation(
        "NODEGROUP_NO_LAUNCH_TEMPLATE",
        `${field}.launchTemplateVersion`,
        `node group ${ng.name} was not created with a launch template`,
      );
      return undefined;
    }
    const sameMinor = version === this.draft.to;
    const pinned = policy.amiReleaseVersion;
    // "current": what runs, as long as the node group's minor stays.
    if (pinned === "current" && sameMinor) return undefined;
    const latest = this.latestRelease(ng, this.draft.to);
    if (!latest) return undefined;
    // Releases of one minor are ordered only when the node group stays on it.
    const unreadable = [latest, ...(sameMinor ? [release] : [])].find((r) => !parseRelease(ng.amiType, r));
    if (unreadable !== undefined) {
      this.draft.violation(
        "RELEASE_UNRECOGNIZED",
        field,
        `node group ${ng.name}: ${unreadable} (${unreadable === latest ? `the newest ${ng.amiType} release for ${this.draft.to}` : "running"}) is not a release of the ${amiFamily(ng.amiType)} family, whose releases read like ${releaseExample(ng.amiType)}`,
      );
      return undefined;
    }
    const followsNewest = pinned === "latest" || pinned === "current";
    const target = followsNewest ? latest : pinned;
    if (!followsNewest && !this.pinAccepted(ng, pinned, latest, sameMinor ? release : undefined, field))
      return undefined;
    const order = sameMinor ? (compareReleases(ng.amiType, target, release) ?? 0) : 1;
    // SSM can lag behind what runs: "latest" never takes a node group back or sideways.
    if (order <= 0) return undefined;
    return {
      id: `nodegroup:${ng.name}:${this.draft.to}`,
      kind: "nodegroup" as const,
      target: ng.name,
      from: `${version} ${release}`,
      to: `${this.draft.to} ${target}`,
      reason:
        version === this.draft.to
          ? "newer AMI release"
          : pinned === "current"
            ? `current: it must follow the control plane to ${this.draft.to}, so it takes that minor's newest release`
            : `follow the control plane to ${this.draft.to}`,
      request: {
        kind: "nodegroup" as const,
        version: this.draft.to,
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

  /**
   * A pin is taken only when it is a release of the node group's family for the target minor that
   * AWS publishes: looked up before any change (resolve), so a mistyped or invented release is
   * refused here rather than by EKS after the control plane and add-ons have moved.
   */
  private pinAccepted(
    ng: ObservedNodegroup,
    pinned: string,
    latest: string,
    running: string | undefined,
    field: string,
  ): boolean {
    const key = `${field}.amiReleaseVersion`;
    const to = this.draft.to;
    const family = amiFamily(ng.amiType);
    const parsed = parseRelease(ng.amiType, pinned);
    if (!parsed) {
      this.draft.violation(
        "RELEASE_MISMATCH",
        key,
        `${pinned} is not a release of node group ${ng.name}'s AMI family (${family}, AMI type ${ng.amiType}), whose releases read like ${releaseExample(ng.amiType)}; newest for ${to}: ${latest}`,
      );
      return false;
    }
    if (parsed.minor !== undefined && parsed.minor !== to) {
      this.draft.violation(
        "RELEASE_MISMATCH",
        key,
        `${pinned} is a release for Kubernetes ${parsed.minor}, but node group ${ng.name} goes to ${to} (newest for ${to}: ${latest})`,
      );
      return false;
    }
    if (pinned === running) return true;
    const order = running === undefined ? 1 : (compareReleases(ng.amiType, pinned, running) ?? 0);
    if (order <= 0) {
      this.draft.violation(
        "NODEGROUP_DOWNGRADE",
        key,
        order < 0
          ? `node group ${ng.name} runs ${running}; ${pinned} would be a downgrade`
          : `node group ${ng.name} runs ${running}; ${pinned} is another build of the same version, not a newer one`,
      );
      return false;
    }
    if (pinned === latest) return true;
    if ((compareReleases(ng.amiType, pinned, latest) ?? 0) > 0) {
      this.draft.violation(
        "RELEASE_NOT_PUBLISHED",
        key,
        `${pinned} does not exist for ${ng.amiType} on Kubernetes ${to}: the newest published release is ${latest}`,
      );
      return false;
    }
    const published = this.draft.catalog.publishedReleases[pinKey(ng.amiType, to, pinned)];
    if (published === undefined && family === "WINDOWS") {
      this.draft.violation(
        "RELEASE_UNVERIFIABLE",
        key,
        `${pinned} cannot be checked before the run: AWS publishes no per-release parameter for Windows AMIs (the newest for ${to} is ${latest}${running ? `, node group ${ng.name} runs ${running}` : ""})`,
      );
      return false;
    }
    if (published !== true) {
      this.draft.violation(
        "RELEASE_NOT_PUBLISHED",
        key,
        `${pinned} is not a published ${ng.amiType} release for Kubernetes ${to} (newest: ${latest})`,
      );
      return false;
    }
    return true;
  }

  private customStep(ng: ObservedNodegroup, version: string, field: string) {
    const policy = nodeGroupPolicy(this.draft.spec, ng.name);
    if (policy.amiReleaseVersion !== "latest" && policy.amiReleaseVersion !== "current") {
      this.draft.violation(
        "RELEASE_MISMATCH",
        `${field}.amiReleaseVersion`,
        `node group ${ng.name} runs a custom AMI from its launch template: it has no EKS release; set ${key(`${field}.launchTemplateVersion`)} instead`,
      );
      return undefined;
    }
    const current = ng.launchTemplate?.version;
    const wanted = policy.launchTemplateVersion;
    if (wanted === undefined) {
      if (compareMinor(version, this.draft.to) < 0) {
        this.draft.violation(
          "CUSTOM_AMI_NEEDS_LAUNCH_TEMPLATE_VERSION",
          `${field}.launchTemplateVersion`,
          `node group ${ng.name} runs a custom AMI on Kubernetes ${version}; give the launch template version whose AMI runs ${this.draft.to} (running: ${current ?? "unknown"})`,
        );
      }
      return undefined;
    }
    if (current !== undefined && Number(wanted) < Number(current)) {
      this.draft.violation(
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
    const release = this.draft.catalog.latestReleases[releaseKey(ng.amiType, minor)];
    if (release) return release;
    const replacements = replacementAmiTypes(ng.amiType);
    this.draft.violation(
      "AMI_NOT_AVAILABLE",
      `nodeGroups.${ng.name}`,
      `node group ${ng.name} uses ${ng.amiType}, which has no AMI for Kubernetes ${minor}`,
      replacements.length
        ? `Move node group ${ng.name} to ${replacements.join(" or ")} (a new node group of that AMI type, then drain and delete the old one) before upgrading to ${minor}.`
        : undefined,
    );
    return undefined;
  }
}
