import * as pulumi from "@pulumi/pulumi";
import type { PromotionArgs } from "../providers/clusterUpgrade";
import type { StackConfig } from "./config";

/**
 * The promotion gate's inputs, read from the upstream stack's outputs (controlPlaneVersion and
 * upgradedAt, which this program exports). ClusterUpgrade's check refuses a target the upstream
 * has not reached, or has run for less than soakHours.
 */
export function promotionGate(config: StackConfig): PromotionArgs | undefined {
  const p = config.promotion;
  if (!p) return undefined;
  const upstream = new pulumi.StackReference(p.upstreamStack);
  return {
    upstreamStack: p.upstreamStack,
    upstreamVersion: upstream.requireOutput("controlPlaneVersion") as pulumi.Output<string>,
    upstreamUpgradedAt: upstream.getOutput("upgradedAt") as pulumi.Output<string | undefined>,
    soakHours: p.soakHours,
  };
}
