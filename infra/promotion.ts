import * as pulumi from "@pulumi/pulumi";
import type { PromotionArgs } from "../providers/clusterUpgrade";
import type { StackConfig } from "./config";
import { FLEET_FILE, fleetOf, upstreamOf } from "./fleet";

/**
 * The promotion gate's inputs, read from the upstream stacks' outputs (controlPlaneVersion and
 * upgradedAt, which this program exports). ClusterUpgrade's check refuses a target an upstream
 * has not reached, or has run for less than soakHours. For a stack in a stage of the project's
 * fleet.yaml the stage before is the upstream, every stack of it, with that stage's soakHours; a
 * staged stack that also sets eks-upgrade:promotion is refused (say it once).
 */
export function promotionGate(
  config: StackConfig,
  stack: string = pulumi.getStack(),
  dir: string = process.cwd(),
): PromotionArgs | PromotionArgs[] | undefined {
  const fleet = fleetOf(dir);
  // A stack no stage holds keeps its own gate.
  if (fleet?.stages.some((s) => s.selected.includes(stack))) {
    const up = upstreamOf(fleet, stack);
    if (config.promotion)
      throw new Error(
        `eks-upgrade:promotion: stack ${stack} is in ${FLEET_FILE}, whose stages are the promotion gate${up ? ` (its upstream: stage ${up.stage})` : ""}; remove eks-upgrade:promotion from Pulumi.${stack}.yaml, or set soakHours on the stage in ${FLEET_FILE}`,
      );
    if (!up) return undefined;
    const org = pulumi.getOrganization();
    const project = pulumi.getProject();
    // Named in findings as the fleet file names it; referenced by its full name.
    return up.stacks.map((s) => ({
      ...reference(`${org}/${project}/${s}`, up.soakHours, s),
      maxFailures: up.maxFailures,
    }));
  }
  const p = config.promotion;
  return p ? reference(p.upstreamStack, p.soakHours) : undefined;
}

function reference(fullName: string, soakHours: number, upstreamStack = fullName): PromotionArgs {
  const upstream = new pulumi.StackReference(fullName);
  return {
    upstreamStack,
    upstreamVersion: upstream.requireOutput("controlPlaneVersion") as pulumi.Output<string>,
    upstreamUpgradedAt: upstream.getOutput("upgradedAt") as pulumi.Output<string | undefined>,
    soakHours,
  };
}
