import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { criticalPathMs } from "../../bench/critical-path";
import { estimatePlanMinutes, inspect, type Plan } from "../../providers/engine/src/index";
import { type EngineHarness, engineHarness } from "../support/engine";

/*
 * The plan's duration estimate under node-group concurrency: node groups share `concurrency`
 * lanes in plan order, as execute runs them, and each step's estimate is the emulator's timing
 * model of the EKS guide's phases (setup, scale up, one drain batch after another, scale down).
 */
describe("the plan's duration estimate", () => {
  let h: EngineHarness;
  let plan: Plan;
  before(async () => {
    h = await engineHarness({
      clusters: [
        {
          name: "demo",
          version: "1.33",
          nodegroups: [
            {
              name: "big",
              amiType: "AL2023_x86_64_STANDARD",
              releaseVersion: "1.33.0-20250519",
              desiredSize: 6,
            },
            {
              name: "wide",
              amiType: "AL2023_x86_64_STANDARD",
              releaseVersion: "1.33.0-20250519",
              desiredSize: 6,
              maxUnavailable: 3,
            },
            {
              name: "small",
              amiType: "BOTTLEROCKET_x86_64",
              releaseVersion: "1.46.0-431fe75a",
              desiredSize: 2,
            },
          ],
        },
      ],
    });
    plan = (await inspect(h.clients, h.spec({ clusterVersion: "1.33" }))).plan;
  });
  after(() => h.stop());

  it("each node group's estimate follows its size and maxUnavailable", () => {
    assert.deepEqual(
      plan.steps.map((s) => [s.kind, s.target, s.estimatedMinutes]),
      [
        ["nodegroup", "big", 1 + 3 + 6 * 2.5 + 1],
        ["nodegroup", "small", 1 + 3 + 2 * 2.5 + 1],
        ["nodegroup", "wide", 1 + 3 + 2 * 2.5 + 1],
      ],
    );
  });

  it("node groups share the concurrency's lanes in plan order", () => {
    assert.deepEqual(
      [1, 2, 3, 8].map((c) => estimatePlanMinutes(plan, c)),
      [20 + 10 + 10, 20, 20, 20],
    );
    // With the long one last, two lanes finish sooner than one.
    const reversed = { ...plan, steps: [...plan.steps].reverse() };
    assert.deepEqual(
      [1, 2].map((c) => estimatePlanMinutes(reversed, c)),
      [40, 30],
    );
  });

  it("equals the emulator's critical path for the same plan and concurrency", () => {
    for (const c of [1, 2, 3]) {
      assert.equal(
        estimatePlanMinutes(plan, c),
        criticalPathMs(plan, h.emulator, c) / 60_000,
        `concurrency ${c}`,
      );
    }
  });
});
