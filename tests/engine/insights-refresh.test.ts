import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import {
  DescribeInsightsRefreshCommand,
  ListInsightsCommand,
  StartInsightsRefreshCommand,
} from "@aws-sdk/client-eks";
import type { SeedInput } from "../../emulator/src/index";
import { execute, inspect, inspectForApply } from "../../providers/engine/src/index";
import { type EngineHarness, engineHarness, TIME_SCALE } from "../support/engine";

/*
 * Fresh insights before acting: EKS evaluates upgrade insights daily (the deprecated-API check
 * looks back 30 days), so a run asks for a refresh first and gates on what it finds.
 */
const THREE_DAYS_AGO = new Date(Date.now() - 3 * 86_400_000).toISOString();

function seed(status: "ERROR" | "WARNING", statusAfterRefresh?: "PASSING"): SeedInput {
  return {
    timeScale: TIME_SCALE,
    clusters: [
      {
        name: "demo",
        version: "1.35",
        addons: { "kube-proxy": "v1.35.3-eksbuild.17" },
        nodegroups: [{ name: "general", amiType: "AL2023_x86_64_STANDARD", desiredSize: 2 }],
        insights: [
          {
            name: "Deprecated APIs removed in Kubernetes v1.36",
            kubernetesVersion: "1.36",
            status,
            lastRefreshTime: THREE_DAYS_AGO,
            ...(statusAfterRefresh ? { statusAfterRefresh } : {}),
          },
        ],
      },
    ],
  };
}

describe("insights refreshed before a run", () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness(seed("WARNING"));
  });
  after(() => h.stop());
  beforeEach(() => h.emulator.reset(seed("WARNING")));

  it("the emulator: StartInsightsRefresh runs, DescribeInsightsRefresh reports it, insights get the new time", async () => {
    await assert.rejects(h.clients.eks.send(new DescribeInsightsRefreshCommand({ clusterName: "demo" })), {
      name: "ResourceNotFoundException",
    });
    const started = await h.clients.eks.send(new StartInsightsRefreshCommand({ clusterName: "demo" }));
    assert.equal(started.status, "IN_PROGRESS");
    h.emulator.advanceClock(3 * 60);
    const done = await h.clients.eks.send(new DescribeInsightsRefreshCommand({ clusterName: "demo" }));
    assert.equal(done.status, "COMPLETED");
    assert.ok(done.endedAt && done.startedAt && done.endedAt > done.startedAt);
    const { insights } = await h.clients.eks.send(new ListInsightsCommand({ clusterName: "demo" }));
    assert.equal(insights?.[0]?.lastRefreshTime?.getTime(), done.endedAt?.getTime());
  });

  it("a run refreshes first: StartInsightsRefresh before the first change, and the plan says how old its insights are", async () => {
    const spec = h.spec({ clusterVersion: "1.36" });
    const preview = await inspect(h.clients, spec);
    assert.equal(preview.plan.insightsEvaluatedAt, THREE_DAYS_AGO, "a plan alone does not refresh");
    assert.ok(!h.emulator.audit().some((e) => e.operation === "StartInsightsRefresh"));

    const lines: string[] = [];
    const run = await inspectForApply(h.clients, spec, undefined, {
      timeScale: TIME_SCALE,
      log: (l) => lines.push(l),
    });
    assert.equal(run.insightsRefresh?.status, "COMPLETED");
    assert.ok(Date.parse(run.plan.insightsEvaluatedAt ?? "") > Date.parse(THREE_DAYS_AGO) + 86_400_000);
    assert.deepEqual(lines, [
      "refreshing the upgrade insights before the first change (StartInsightsRefresh)",
      "upgrade insights refreshed",
    ]);
    await execute(h.clients, spec, run.plan, { timeScale: TIME_SCALE });
    const ops = h.emulator.audit().map((e) => e.operation);
    const refreshAt = ops.indexOf("StartInsightsRefresh");
    const firstChange = h.emulator.audit().findIndex((e) => e.mutating);
    assert.ok(refreshAt >= 0 && firstChange > refreshAt, ops.join(" "));
  });

  it("a stale ERROR that a refresh clears no longer blocks the run", async () => {
    h.emulator.reset(seed("ERROR", "PASSING"));
    const spec = h.spec({ clusterVersion: "1.36" });
    assert.deepEqual(
      (await inspect(h.clients, spec)).plan.violations.map((v) => v.code),
      ["EKSUP015"],
      "the day-old insight blocks the plan",
    );
    const run = await inspectForApply(h.clients, spec, undefined, { timeScale: TIME_SCALE });
    assert.deepEqual(run.plan.violations, []);
    assert.ok(run.plan.steps.length > 0);
  });

  it("nothing to do, or refused for another reason: no refresh", async () => {
    for (const clusterVersion of ["1.35", "1.34"]) {
      await inspectForApply(h.clients, h.spec({ clusterVersion }), undefined, { timeScale: TIME_SCALE });
    }
    assert.ok(!h.emulator.audit().some((e) => e.operation === "StartInsightsRefresh"));
  });

  it("a refresh that does not finish in time is a warning, and the plan gates on the insights as they are", async () => {
    h.emulator.reset({ ...seed("WARNING"), timing: { insightsRefreshMinutes: 60 } });
    const run = await inspectForApply(h.clients, h.spec({ clusterVersion: "1.36" }), undefined, {
      timeScale: TIME_SCALE,
    });
    assert.equal(run.insightsRefresh?.status, "IN_PROGRESS");
    const warning = run.plan.warnings.find((w) => w.code === "EKSUP110");
    assert.match(
      warning?.message ?? "",
      /^the insights refresh did not finish within 10 minutes \(Insights refresh is in progress\.\): the plan gates on insights evaluated /,
    );
    assert.ok(run.plan.steps.length > 0);
  });
});
