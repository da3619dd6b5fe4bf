import type * as pulumi from "@pulumi/pulumi";

/** The inputs of a ClusterUpgrade. Versions are the desired end state; the plan to reach it is derived. */
export interface ClusterUpgradeArgs {
  /** Name of the EKS cluster to upgrade. */
  clusterName: pulumi.Input<string>;
  /** AWS region of the cluster. Credentials come from the AWS default chain (environment, profile, role), never from inputs. */
  region: pulumi.Input<string>;
  /** Endpoint overrides, for the local emulator only (`{ eks, ssm }` URLs). */
  endpoints?: pulumi.Input<{ eks?: pulumi.Input<string>; ssm?: pulumi.Input<string> }>;
  /** The Kubernetes minor to end on, like "1.32". Lower than the running control plane: the preview fails. */
  clusterVersion: pulumi.Input<string>;
  /**
   * Add-ons by name: "default" (EKS's default for the minor), "latest" (newest compatible) or a
   * pinned version, or `{ version, resolveConflicts }`. Installed add-ons not named follow "default".
   */
  addons?: pulumi.Input<Record<string, pulumi.Input<string | AddonArgs>>>;
  /** Node groups by name; canaries first, in this order. Node groups not named follow "latest". */
  nodeGroups?: pulumi.Input<Record<string, pulumi.Input<NodeGroupArgs>>>;
  /** How upgrades run: node groups at once, ERROR insights, per-step deadlines, polling. */
  upgrade?: pulumi.Input<UpgradePolicyArgs>;
  /**
   * The stack config namespace these inputs come from (the program passes "eks-upgrade"): refusals
   * then name the config key the user edits (`eks-upgrade:nodeGroups.general.amiReleaseVersion`).
   */
  configNamespace?: pulumi.Input<string>;
  /** Local emulator only: the emulator's time scale, applied to polling and deadlines. 1 (the default) against AWS. */
  timeScale?: pulumi.Input<number>;
  /**
   * Promotion gate, from the upstream stack's outputs: the target must be a version the upstream
   * runs, for at least `soakHours`. The program fills it from a StackReference; in a fleet, one per
   * stack of the stage before (fleet.yaml), each of which must allow the target (but for the
   * stage's maxFailures).
   */
  promotion?: pulumi.Input<PromotionArgs> | pulumi.Input<PromotionArgs>[];
}

export interface PromotionArgs {
  upstreamStack: pulumi.Input<string>;
  upstreamVersion: pulumi.Input<string>;
  upstreamUpgradedAt?: pulumi.Input<string | undefined>;
  soakHours: pulumi.Input<number>;
  /** In a fleet: how many of the upstream stage's stacks may refuse (its maxFailures). */
  maxFailures?: pulumi.Input<number>;
}

export interface AddonArgs {
  /** "default", "latest", "current" (what runs, until the control plane moves) or a pinned version like v1.19.0-eksbuild.1. */
  version?: pulumi.Input<string>;
  /** OVERWRITE, NONE or PRESERVE: what EKS does with fields changed on the cluster. */
  resolveConflicts?: pulumi.Input<"OVERWRITE" | "NONE" | "PRESERVE">;
}

export interface UpgradePolicyArgs {
  /** How many node groups update at once (default 1). */
  concurrency?: pulumi.Input<number>;
  /** ERROR upgrade-readiness insights: "block" (default), "warn", or the insight names to acknowledge. */
  insights?: pulumi.Input<"block" | "warn" | pulumi.Input<string>[]>;
  /** Hours the control plane runs a new minor before the add-ons that need it and the node groups follow (default 0). */
  bakeHours?: pulumi.Input<number>;
  /** Read the cluster's Kubernetes API (read-only) for drain checks and the health gate (default true). */
  kubernetesChecks?: pulumi.Input<boolean>;
  /**
   * After the control plane and each node group: workloads back at their ready counts, none newly
   * crash-looping; else "pause" the cluster and stop (default), only "warn", or "off".
   */
  healthGate?: pulumi.Input<"off" | "warn" | "pause">;
  /**
   * How long one step may take, in minutes (defaults: control plane 60, add-on 30, node group 180),
   * and how long the workloads have to come back after it (healthGateMinutes, 10). Pulumi's
   * customTimeouts do not reach dynamic providers; these do.
   */
  deadlines?: pulumi.Input<{
    controlPlaneMinutes?: pulumi.Input<number>;
    addonMinutes?: pulumi.Input<number>;
    nodegroupMinutes?: pulumi.Input<number>;
    healthGateMinutes?: pulumi.Input<number>;
  }>;
  /** Bounds of the adaptive polling interval, in seconds (defaults 5 and 60). */
  polling?: pulumi.Input<{ minSeconds?: pulumi.Input<number>; maxSeconds?: pulumi.Input<number> }>;
}

export interface NodeGroupArgs {
  /**
   * "latest" (newest release of the node group's AMI family for the target minor), "current" (what
   * runs, while the node group's minor stays) or a pinned release.
   */
  amiReleaseVersion?: pulumi.Input<string>;
  /** Replace nodes even when a PodDisruptionBudget blocks their drain. */
  force?: pulumi.Input<boolean>;
  /** Upgraded before the other node groups, in the order listed. */
  canary?: pulumi.Input<boolean>;
  /** Custom-AMI node groups: the launch template version whose AMI runs the target minor. */
  launchTemplateVersion?: pulumi.Input<string>;
  /** Nodes replaced at once during the update. */
  maxUnavailable?: pulumi.Input<number>;
  /** Share of nodes replaced at once (instead of maxUnavailable). */
  maxUnavailablePercentage?: pulumi.Input<number>;
}

/** The versions really running, as read after the last run (or by `pulumi refresh`). */
export type { RunningVersions } from "@eks-upgrade/engine";

export interface StepTiming {
  step: string;
  outcome: "updated" | "awaited" | "skipped";
  seconds: number;
}
