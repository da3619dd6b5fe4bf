import type { PlanItem } from "@eks-upgrade/engine";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterUpgradeArgs, RunningVersions, StepTiming } from "./args";
import { clusterUpgradeProvider } from "./provider";

/**
 * Upgrades an EKS cluster to the versions in its args: control plane one minor at a time, each
 * followed by its add-ons, then the node groups; never a downgrade. `pulumi preview` shows the plan
 * (the `plan` property) and fails on a violation; `pulumi up` runs it; `pulumi refresh` reads the
 * versions really running. Deleting it leaves the cluster alone.
 *
 * Type token: `pulumi-nodejs:dynamic/eks-upgrade:ClusterUpgrade`.
 */
export class ClusterUpgrade extends pulumi.dynamic.Resource {
  /** The versions really running after the last run: control plane, platform, each add-on and node group. */
  declare public readonly versions: pulumi.Output<RunningVersions>;
  /** The plan as of the last check, one item per step (empty when there is nothing to do). */
  declare public readonly plan: pulumi.Output<PlanItem[]>;
  /** The plan's steps and estimated duration: "19 steps, ~62 min (…)", or "nothing to do". */
  declare public readonly estimate: pulumi.Output<string>;
  /** The plan the last run executed. */
  declare public readonly lastPlan: pulumi.Output<PlanItem[]>;
  /** The last run in one line: where it went, its steps, how long (`1.33 -> 1.35: 19 steps (19 updated) in 76m10s`). */
  declare public readonly lastRun: pulumi.Output<string>;
  /** What `pulumi refresh` found moved outside since the last run, one line per target (absent when nothing). */
  declare public readonly drift: pulumi.Output<string[] | undefined>;
  /** Per step of the last run: outcome (updated, awaited, skipped) and seconds. */
  declare public readonly timings: pulumi.Output<StepTiming[]>;
  /** When the last run that changed something finished (ISO 8601): what downstream promotion gates read. */
  declare public readonly upgradedAt: pulumi.Output<string | undefined>;
  /** Support of each minor from the running one to the target, as EKS reports it (last check). */
  declare public readonly support: pulumi.Output<string[]>;
  /** Warnings of the last check (acknowledged insights, add-ons kept newer than their default, ...). */
  declare public readonly warnings: pulumi.Output<string[]>;
  /** Echoed inputs, for other resources to follow (e.g. controllers that must match the control plane). */
  declare public readonly clusterVersion: pulumi.Output<string>;
  declare public readonly clusterName: pulumi.Output<string>;

  constructor(name: string, args: ClusterUpgradeArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      clusterUpgradeProvider,
      name,
      {
        ...args,
        versions: undefined,
        plan: undefined,
        estimate: undefined,
        lastPlan: undefined,
        lastRun: undefined,
        drift: undefined,
        timings: undefined,
        upgradedAt: undefined,
        warnings: undefined,
        support: undefined,
      },
      opts,
      "eks-upgrade",
      "ClusterUpgrade",
    );
  }
}
