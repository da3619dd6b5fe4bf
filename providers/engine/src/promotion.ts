import { type Finding, finding } from "./checks";
import { compareMinor } from "./versions";

/** What a downstream stack knows of its upstream (read from the upstream stack's outputs). */
export interface PromotionGate {
  /** The upstream stack, as named in config (org/project/stack). */
  upstreamStack: string;
  /** The control-plane minor the upstream runs. */
  upstreamVersion: string;
  /** When the upstream last finished an upgrade (ISO 8601); absent if it never ran one. */
  upstreamUpgradedAt?: string | undefined;
  /** How long the upstream must have run a version before it may go here. */
  soakHours: number;
  /**
   * In a fleet, the upstream stage's failure budget (fleet.yaml maxFailures): that many of the
   * stage's stacks may refuse the target and the stage still counts as done. Every gate of a list
   * carries its stage's value.
   */
  maxFailures?: number | undefined;
}

/**
 * Promotion: a stack may only go to a version its upstream already runs, and has run for at least
 * `soakHours`. A target below the upstream's version was passed through by the upstream earlier
 * and is allowed.
 */
export function checkPromotion(target: string, gate: PromotionGate, now: Date = new Date()): Finding[] {
  const field = "clusterVersion";
  const order = compareMinor(target, gate.upstreamVersion);
  if (order > 0) {
    return [
      finding(
        "PROMOTION_GATE",
        field,
        `${target} is ahead of the upstream stack ${gate.upstreamStack}, which runs ${gate.upstreamVersion}`,
      ),
    ];
  }
  if (order < 0 || gate.soakHours <= 0) return [];
  const since = gate.upstreamUpgradedAt ? Date.parse(gate.upstreamUpgradedAt) : Number.NaN;
  const hours = (now.getTime() - since) / 3_600_000;
  if (Number.isNaN(hours) || hours < gate.soakHours) {
    const ran = Number.isNaN(hours) ? "for an unknown time" : `for ${Math.floor(hours)} hours`;
    return [
      finding(
        "PROMOTION_GATE",
        field,
        `the upstream stack ${gate.upstreamStack} has run ${gate.upstreamVersion} ${ran}; ${gate.soakHours} hours of soak are required before ${target} goes here`,
      ),
    ];
  }
  return [];
}

/**
 * A stack's gates: one upstream stack (eks-upgrade:promotion), or in a fleet every stack of the
 * stage before its own.
 */
export type PromotionGates = PromotionGate | readonly PromotionGate[];

/**
 * Every gate must allow the target, except that a fleet stage that finished within its failure
 * budget lets its next stage go: up to `maxFailures` of its stacks may refuse, as long as one
 * allows (a stage whose every stack failed is not done). `now` is EKS's time, as `upgradedAt` is.
 */
export function checkPromotions(target: string, gates: PromotionGates, now: Date = new Date()): Finding[] {
  const list: readonly PromotionGate[] = Array.isArray(gates) ? gates : [gates as PromotionGate];
  const refusing = list.map((g) => checkPromotion(target, g, now)).filter((f) => f.length);
  const budget = Math.min(...list.map((g) => g.maxFailures ?? 0));
  if (refusing.length <= budget && refusing.length < list.length) return [];
  return refusing.flat();
}
