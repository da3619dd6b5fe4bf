import { execFileSync } from "node:child_process";
import type { PromotionGate } from "@eks-upgrade/engine";
import type { StackConfig } from "../infra/config";
import { CliError } from "./errors";

/**
 * The promotion gate of a stack, as the program's StackReference sees it: the upstream stack's
 * `controlPlaneVersion` and `upgradedAt` outputs, read with `pulumi stack output` (the same
 * backend and login the program uses). `--stack` never walks around a gate: when the outputs
 * cannot be read, the command is refused and says why.
 */
export function promotionGateOf(config: StackConfig, stack: string): PromotionGate | undefined {
  const p = config.promotion;
  if (!p) return undefined;
  let text: string;
  try {
    text = execFileSync("pulumi", ["stack", "output", "--json", "--stack", p.upstreamStack], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    const why = err.code === "ENOENT" ? "the pulumi CLI is not on PATH" : (err.stderr ?? err.message).trim();
    throw new CliError(
      `--stack ${stack}: eks-upgrade:promotion needs the outputs of ${p.upstreamStack} (pulumi stack output), ` +
        `and they could not be read: ${why}. Log in to the stack's backend (pulumi login) and try again; ` +
        "nothing was changed",
    );
  }
  const outputs = JSON.parse(text) as { controlPlaneVersion?: unknown; upgradedAt?: unknown };
  if (typeof outputs.controlPlaneVersion !== "string")
    throw new CliError(
      `--stack ${stack}: the upstream stack ${p.upstreamStack} has no controlPlaneVersion output yet ` +
        "(run its pulumi up first); nothing was changed",
    );
  return {
    upstreamStack: p.upstreamStack,
    upstreamVersion: outputs.controlPlaneVersion,
    upstreamUpgradedAt: typeof outputs.upgradedAt === "string" ? outputs.upgradedAt : undefined,
    soakHours: p.soakHours,
  };
}
