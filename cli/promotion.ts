import type { PromotionGate, PromotionGates } from "@eks-upgrade/engine";
import type { StackConfig } from "../infra/config";
import { FLEET_FILE, fleetOf, upstreamOf } from "../infra/fleet";
import { CliError } from "./errors";
import { readStackOutputs } from "./stack-outputs";

/**
 * The promotion gate of a stack, as the program's StackReferences see it: the upstream stacks'
 * `controlPlaneVersion` and `upgradedAt` outputs, read with `pulumi stack output` (the same
 * backend and login the program uses). The upstream is `eks-upgrade:promotion`'s stack, or in a
 * project with a fleet.yaml every stack of the stage before this one's. `--stack` never walks
 * around a gate: when the outputs cannot be read, the command is refused and says why.
 */
export function promotionGateOf(config: StackConfig, stack: string): PromotionGates | undefined {
  const fleet = fleetOf(process.cwd());
  // A stack no stage holds keeps its own gate.
  if (fleet?.stages.some((s) => s.selected.includes(stack))) {
    const up = upstreamOf(fleet, stack);
    if (config.promotion)
      throw new CliError(
        `--stack ${stack}: eks-upgrade:promotion and ${FLEET_FILE} both say where this stack promotes from; the fleet file's stages are the gate${up ? ` (its upstream: stage ${up.stage})` : ""}: remove eks-upgrade:promotion from Pulumi.${stack}.yaml, or set soakHours on the stage; nothing was changed`,
      );
    return up?.stacks.map((s) => ({
      ...upstreamGate(stack, `${FLEET_FILE} (stage ${up.stage})`, s, up.soakHours),
      maxFailures: up.maxFailures,
    }));
  }
  const p = config.promotion;
  return p ? upstreamGate(stack, "eks-upgrade:promotion", p.upstreamStack, p.soakHours) : undefined;
}

/** `source`: where the gate is said, for the messages (the config key, or the fleet file's stage). */
function upstreamGate(
  stack: string,
  source: string,
  upstreamStack: string,
  soakHours: number,
): PromotionGate {
  const read = readStackOutputs(upstreamStack);
  if ("error" in read)
    throw new CliError(
      `--stack ${stack}: ${source} needs the outputs of ${upstreamStack} (pulumi stack output), ` +
        `and they could not be read: ${read.error}. Log in to the stack's backend (pulumi login) and try again; ` +
        "nothing was changed",
    );
  const { outputs } = read;
  if (typeof outputs.controlPlaneVersion !== "string")
    throw new CliError(
      `--stack ${stack}: the upstream stack ${upstreamStack} has no controlPlaneVersion output yet ` +
        "(run its pulumi up first); nothing was changed",
    );
  return {
    upstreamStack,
    upstreamVersion: outputs.controlPlaneVersion,
    upstreamUpgradedAt: typeof outputs.upgradedAt === "string" ? outputs.upgradedAt : undefined,
    soakHours,
  };
}
