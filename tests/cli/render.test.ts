import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Plan } from "../../providers/engine/src/index";
import { renderPlan } from "../../cli/render";

/** The plan's header lines, on hand-made plans (the rest of the table is tested through the CLI). */
const plan = (evaluatedHoursBefore: number): Plan => {
  const madeAt = Date.parse("2026-12-06T12:00:00Z");
  return {
    cluster: "demo",
    from: "1.35",
    to: "1.35",
    support: [],
    madeAt: new Date(madeAt).toISOString(),
    insightsEvaluatedAt: new Date(madeAt - evaluatedHoursBefore * 3_600_000).toISOString(),
    steps: [],
    violations: [],
    warnings: [],
    lines: [],
  } as unknown as Plan;
};

describe("plan rendering: how old the insights are", () => {
  for (const [hours, words] of [
    [0.5, "less than an hour ago"],
    [1, "1 hour ago"],
    [5, "5 hours ago"],
    [72, "3 days ago"],
  ] as const)
    it(`insights evaluated ${hours} h before the plan read "${words}"`, () => {
      assert.match(renderPlan(plan(hours), "table", { concurrency: 1 }), new RegExp(`UTC \\(${words}\\)`));
    });
});
