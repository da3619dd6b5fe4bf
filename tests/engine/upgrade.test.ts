import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { execute, inspect, type ProgressEvent } from "../../providers/engine/src/index";
import { compareMinor } from "../../providers/engine/src/versions";
import { callSummary, type EngineHarness, engineHarness, fleetSeed, TIME_SCALE } from "../support/engine";

const series = (v: string) => v.replace(/^v(\d+\.\d+)\..*$/, "$1");

describe("engine: 1.29 -> 1.32 with three add-ons and three node groups", () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness(fleetSeed());
  });
  after(() => h.stop());

  it("runs control plane one minor at a time, each followed by its add-ons, then the node groups", async () => {
    const spec = h.spec({ clusterVersion: "1.32" });
    const { plan } = await inspect(h.clients, spec);
    assert.deepEqual(plan.violations, []);
    assert.equal(h.mutating().length, 0, "planning makes no change");

    const events: ProgressEvent[] = [];
    const result = await execute(h.clients, spec, plan, {
      timeScale: TIME_SCALE,
      onEvent: (e) => events.push(e),
    });

    const calls = callSummary(h.mutating());
    const cp = (v: string) => calls.indexOf(`controlPlane ${v}`);
    assert.ok(cp("1.30") >= 0 && cp("1.30") < cp("1.31") && cp("1.31") < cp("1.32"), calls.join("\n"));
    // kube-proxy builds are per minor: exactly one update after each control-plane step.
    assert.deepEqual(
      calls
        .filter((c) => c.startsWith("addon kube-proxy"))
        .map((c) => calls.indexOf(c))
        .map((i) => [cp("1.30") < i, cp("1.31") < i, cp("1.32") < i]),
      [
        [true, false, false],
        [true, true, false],
        [true, true, true],
      ],
    );
    // Node groups only after the last control-plane step and its add-ons.
    const firstNode = calls.findIndex((c) => c.startsWith("nodegroup"));
    const lastAddon = calls.map((c, i) => (c.startsWith("addon") ? i : -1)).reduce((a, b) => Math.max(a, b));
    assert.ok(firstNode > cp("1.32") && firstNode > lastAddon, calls.join("\n"));
    assert.deepEqual(calls.slice(firstNode), [
      "nodegroup arm 1.32",
      "nodegroup bottlerocket 1.32",
      "nodegroup general 1.32",
    ]);
    // Every add-on update moved at most one minor version.
    const addonCalls = h.mutating().filter((e) => e.operation === "UpdateAddon");
    const seen = new Map(
      Object.entries({
        "vpc-cni": "v1.16.0-eksbuild.1",
        coredns: "v1.11.1-eksbuild.4",
        "kube-proxy": "v1.29.0-eksbuild.1",
      }),
    );
    for (const e of addonCalls) {
      const to = String((e.params as { addonVersion: string }).addonVersion);
      const from = seen.get(e.addon ?? "") ?? "";
      assert.ok(
        Math.abs(Number(series(to).split(".")[1]) - Number(series(from).split(".")[1])) <= 1,
        `${e.addon} ${from} -> ${to}`,
      );
      seen.set(e.addon ?? "", to);
    }
    assert.ok(
      h.mutating().every((e) => e.status === 200),
      "EKS accepted every call",
    );

    // The versions reached are the plan's.
    const state = h.emulator.state().clusters[0];
    assert.equal(state?.version, "1.32");
    const finalAddons = new Map(plan.steps.filter((s) => s.kind === "addon").map((s) => [s.target, s.to]));
    for (const a of state?.addons ?? []) assert.equal(a.version, finalAddons.get(a.name), a.name);
    const catalog = h.emulator.world.catalog;
    for (const ng of state?.nodegroups ?? []) {
      assert.equal(ng.version, "1.32", ng.name);
      const family = ng.amiType.startsWith("BOTTLEROCKET") ? "BOTTLEROCKET" : "AL2023";
      assert.equal(
        ng.releaseVersion,
        catalog.latestRelease(family, "1.32"),
        `${ng.name} on the newest ${family} release`,
      );
    }
    assert.equal(result.steps.length, plan.steps.length);
    assert.ok(result.steps.every((s) => s.outcome === "updated"));
    // Every step finished once; phases finished in order (steps of one wave may end in any order).
    const finished = events.flatMap((e) => (e.type === "stepFinished" ? [e.step] : []));
    assert.deepEqual(finished.map((s) => s.id).sort(), plan.steps.map((s) => s.id).sort());
    assert.deepEqual(
      finished.map((s) => s.phase),
      [...finished.map((s) => s.phase)].sort((a, b) => a - b),
    );
  });

  it("a second run finds nothing to do and calls nothing that changes the cluster", async () => {
    const before = h.mutating().length;
    const { plan } = await inspect(h.clients, h.spec({ clusterVersion: "1.32" }));
    assert.deepEqual(plan.steps, []);
    assert.deepEqual(plan.violations, []);
    await execute(h.clients, h.spec(), plan, { timeScale: TIME_SCALE });
    assert.equal(h.mutating().length, before);
  });

  it("the plan reads as one line per step", async () => {
    h.emulator.reset();
    const { plan } = await inspect(h.clients, h.spec({ clusterVersion: "1.30" }));
    assert.equal(plan.lines.length, plan.steps.length);
    const cpLines = plan.lines.filter((l) => /^\d+\. \[phase \d+\] control plane:/.test(l));
    assert.equal(cpLines.length, 1);
    assert.match(
      cpLines[0] ?? "",
      /^\d+\. \[phase \d+\] control plane: 1\.29 -> 1\.30 \(~10 min\): target version$/,
    );
    assert.ok(plan.steps.every((s) => s.kind !== "controlPlane" || compareMinor(s.to, "1.30") === 0));
  });
});
