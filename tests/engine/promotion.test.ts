import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkPromotion, checkPromotions } from "../../providers/engine/src/index";

const now = new Date("2026-11-21T12:00:00Z");
const gate = (upstreamVersion: string, upstreamUpgradedAt?: string) => ({
  upstreamStack: "acme/eks-upgrade/staging",
  upstreamVersion,
  upstreamUpgradedAt,
  soakHours: 72,
});

describe("promotion gate", () => {
  it("refuses a target ahead of the upstream, naming both stacks' versions", () => {
    const [f] = checkPromotion("1.32", gate("1.31", "2026-11-01T00:00:00Z"), now);
    assert.equal(f?.code, "EKSUP017");
    assert.equal(f?.field, "clusterVersion");
    assert.equal(f?.message, "1.32 is ahead of the upstream stack acme/eks-upgrade/staging, which runs 1.31");
  });

  it("refuses the upstream's version before it has soaked", () => {
    const [f] = checkPromotion("1.31", gate("1.31", "2026-11-20T12:00:00Z"), now);
    assert.match(
      f?.message ?? "",
      /has run 1\.31 for 24 hours; 72 hours of soak are required before 1\.31 goes here/,
    );
    assert.equal(
      checkPromotion("1.31", gate("1.31"), now)[0]?.code,
      "EKSUP017",
      "never upgraded: unknown soak",
    );
  });

  it("passes a soaked version, and a version the upstream has moved past", () => {
    assert.deepEqual(checkPromotion("1.31", gate("1.31", "2026-11-10T00:00:00Z"), now), []);
    assert.deepEqual(checkPromotion("1.30", gate("1.31", "2026-11-21T11:00:00Z"), now), []);
    assert.deepEqual(
      checkPromotion("1.31", { ...gate("1.31", "2026-11-21T11:00:00Z"), soakHours: 0 }, now),
      [],
    );
  });

  it("a fleet stage's stacks: every one must allow the target; each that does not is named", () => {
    const stage = [
      { ...gate("1.31", "2026-11-01T00:00:00Z"), upstreamStack: "o/p/staging-1" },
      { ...gate("1.31", "2026-11-20T12:00:00Z"), upstreamStack: "o/p/staging-2" },
      { ...gate("1.30", "2026-11-01T00:00:00Z"), upstreamStack: "o/p/staging-3" },
    ];
    const refused = checkPromotions("1.31", stage, now);
    assert.deepEqual(
      refused.map((f) => f.message),
      [
        "the upstream stack o/p/staging-2 has run 1.31 for 24 hours; 72 hours of soak are required before 1.31 goes here",
        "1.31 is ahead of the upstream stack o/p/staging-3, which runs 1.30",
      ],
    );
    assert.deepEqual(checkPromotions("1.30", stage, now), [], "a version every one has passed");
    assert.deepEqual(
      checkPromotions("1.31", stage[0] as (typeof stage)[number], now),
      [],
      "one gate, as before",
    );
  });

  it("a stage done within its failure budget lets the next go; beyond it, or with none allowing, it does not", () => {
    const at = (upstreamStack: string, version: string, maxFailures: number) => ({
      ...gate(version, "2026-11-01T00:00:00Z"),
      upstreamStack,
      maxFailures,
    });
    // staging: four stacks, maxFailures 1 (the example fleet's).
    const oneFailed = ["1.31", "1.31", "1.30", "1.31"].map((v, i) => at(`staging-${i + 1}`, v, 1));
    assert.deepEqual(checkPromotions("1.31", oneFailed, now), [], "one failure is within the budget");
    const twoFailed = ["1.31", "1.30", "1.30", "1.31"].map((v, i) => at(`staging-${i + 1}`, v, 1));
    assert.deepEqual(
      checkPromotions("1.31", twoFailed, now).map((f) => f.message),
      [
        "1.31 is ahead of the upstream stack staging-2, which runs 1.30",
        "1.31 is ahead of the upstream stack staging-3, which runs 1.30",
      ],
      "beyond the budget every refusing upstream is named",
    );
    // A one-stack stage with a budget of one: its only stack failing is not a done stage.
    assert.equal(checkPromotions("1.31", [at("canary", "1.30", 1)], now)[0]?.code, "EKSUP017");
    // The soak counts against the budget as a refusal does.
    const unsoaked = [
      at("a", "1.31", 1),
      { ...at("b", "1.31", 1), upstreamUpgradedAt: "2026-11-21T11:00:00Z" },
    ];
    assert.deepEqual(checkPromotions("1.31", unsoaked, now), []);
    assert.equal(
      checkPromotions(
        "1.31",
        unsoaked.map((g) => ({ ...g, maxFailures: 0 })),
        now,
      ).length,
      1,
    );
  });
});
