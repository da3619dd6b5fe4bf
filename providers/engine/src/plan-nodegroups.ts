import { key } from "./keys";
import { amiFamily, releaseShape, replacementAmiTypes } from "./ami";
import { configChange, configured } from "./nodegroup-config";
import type { ObservedNodegroup } from "./model";
import type { DraftStep, PlanDraft } from "./plan-draft";
import { releaseKey } from "./plan-lookups";
import { canaryOrder, nodeGroupPolicy } from "./spec";
import { allowedKubeletSkew, compareMinor, compareReleases } from "./versions";

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
    const latest = this.latestRelease(ng, this.draft.to);
    if (!latest) return undefined;
    let target = latest;
    if (policy.amiReleaseVersion !== "latest") {
      const pinned = policy.amiReleaseVersion;
      const family = amiFamily(ng.amiType);
      const shape = family ? releaseShape(family, pinned) : { ok: false };
      if (!shape.ok) {
        this.draft.violation(
          "RELEASE_MISMATCH",
          `${field}.amiReleaseVersion`,
          `${pinned} is not a release of node group ${ng.name}'s AMI family (${family}, AMI type ${ng.amiType}; newest for ${this.draft.to}: ${latest})`,
        );
        return undefined;
      }
      if (shape.minor && shape.minor !== this.draft.to) {
        this.draft.violation(
          "RELEASE_MISMATCH",
          `${field}.amiReleaseVersion`,
          `${pinned} is a release for Kubernetes ${shape.minor}, but node group ${ng.name} goes to ${this.draft.to} (newest for ${this.draft.to}: ${latest})`,
        );
        return undefined;
      }
      if (compareReleases(pinned, latest) > 0) {
        this.draft.violation(
          "RELEASE_NOT_PUBLISHED",
          `${field}.amiReleaseVersion`,
          `${pinned} does not exist for ${ng.amiType} on Kubernetes ${this.draft.to}: the newest published release is ${latest}`,
        );
        return undefined;
      }
      if (version === this.draft.to && compareReleases(pinned, release) < 0) {
        this.draft.violation(
          "NODEGROUP_DOWNGRADE",
          `${field}.amiReleaseVersion`,
          `node group ${ng.name} runs ${release}; ${pinned} would be a downgrade`,
        );
        return undefined;
      }
      target = pinned;
    } else if (version === this.draft.to && compareReleases(latest, release) <= 0) {
      return undefined; // already on the newest release (SSM can lag behind what runs: never go back)
    }
    if (version === this.draft.to && target === release) return undefined;
    return {
      id: `nodegroup:${ng.name}:${this.draft.to}`,
      kind: "nodegroup" as const,
      target: ng.name,
      from: `${version} ${release}`,
      to: `${this.draft.to} ${target}`,
      reason:
        version === this.draft.to ? "newer AMI release" : `follow the control plane to ${this.draft.to}`,
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

  private customStep(ng: ObservedNodegroup, version: string, field: string) {
    const policy = nodeGroupPolicy(this.draft.spec, ng.name);
    if (policy.amiReleaseVersion !== "latest") {
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
