import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import {
  execute,
  inspect,
  pauseCluster,
  pauseReasonProblem,
  type ProgressEvent,
  resumeCluster,
  UpgradeStoppedError,
} from "../../providers/engine/src/index";
import { callSummary, type EngineHarness, engineHarness, fleetSeed } from "../support/engine";

/*
 * The brakes of a running upgrade: a stop request (Ctrl-C once, Pulumi's Cancel) and a pause of the
 * cluster (its tags, from any machine) both stop the run once the steps in flight have ended.
 * The emulator's clock is held while a step is in flight, so the brake always lands during it.
 */
describe("stopping after the step in flight", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  /** Runs the plan to 1.31; `brake` is called once, while the first control-plane update is held. */
  async function runBraked(brake: () => Promise<void> | void, stopAfterStep?: AbortSignal) {
    h = await engineHarness(fleetSeed());
    const harness = h;
    const spec = harness.spec({ clusterVersion: "1.31" });
    const { plan } = await inspect(harness.clients, spec);
    const events: ProgressEvent[] = [];
    let braked: Promise<void> | undefined;
    const run = execute(harness.clients, spec, plan, {
      timeScale: 0.0001,
      ...(stopAfterStep ? { stopAfterStep } : {}),
      onEvent: (e) => {
        events.push(e);
        if (e.type === "stepStarted" && e.step.kind === "controlPlane" && !braked) {
          harness.emulator.pauseClock();
          braked = Promise.resolve(brake()).then(() => harness.emulator.resumeClock());
        }
      },
    });
    const error = await run.then(
      () => assert.fail("the run should have stopped"),
      (e: unknown) => e,
    );
    await braked;
    return { plan, spec, events, error, harness };
  }

  it("a stop request: the control-plane step in flight ends, nothing starts after it, a re-run issues the rest once", async () => {
    const controller = new AbortController();
    const { plan, spec, events, error, harness } = await runBraked(
      () => controller.abort("SIGINT received"),
      controller.signal,
    );
    assert.ok(error instanceof UpgradeStoppedError, String(error));
    assert.equal(error.paused, false);
    assert.equal(error.reason, "SIGINT received");
    const first = callSummary(harness.mutating());
    // The plan's order is the oracle: everything up to the first control-plane step, nothing after.
    const cp = plan.steps.findIndex((s) => s.kind === "controlPlane");
    const upToCp = plan.steps.slice(0, cp + 1).map((s) => s.id);
    assert.deepEqual(error.done, upToCp);
    assert.deepEqual(
      error.left,
      plan.steps.slice(cp + 1).map((s) => s.id),
    );
    assert.equal(first.at(-1), "controlPlane 1.30", "the last call is the step in flight");
    const stopping = events.filter((e) => e.type === "stopping");
    assert.deepEqual(
      stopping.map((e) => e.type === "stopping" && e.inFlight),
      [[plan.steps[cp]?.id]],
      "announced once, naming the step in flight",
    );
    assert.equal(harness.emulator.state().clusters[0]?.version, "1.30", "the step in flight finished");
    assert.match(error.message, /Nothing it started is still running in EKS\. Run again to go on/);

    const again = await inspect(harness.clients, spec);
    await execute(harness.clients, spec, again.plan, { timeScale: 0.0001 });
    const all = callSummary(harness.mutating());
    assert.equal(new Set(all).size, all.length, `no update issued twice:\n${all.join("\n")}`);
    assert.equal(harness.emulator.state().clusters[0]?.version, "1.31");
  });

  it("a pause from elsewhere: the run stops after the step in flight naming who and why; plans refuse until resume", async () => {
    let pausedBy = "";
    const { plan, spec, error, harness } = await runBraked(async () => {
      const p = await pauseCluster(h!.clients, "demo", "error budget burn: incident 42");
      pausedBy = p.by;
    });
    assert.ok(error instanceof UpgradeStoppedError, String(error));
    assert.equal(error.paused, true);
    // The emulator's STS names the caller; the time is EKS's (the emulator's clock).
    assert.match(pausedBy, /^arn:aws:iam::\d{12}:/);
    assert.match(
      error.message,
      new RegExp(
        `cluster demo is paused by ${pausedBy.replace(/[/.]/g, "\\$&")} at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ: error budget burn: incident 42`,
      ),
    );
    assert.match(error.message, /eks-upgrade resume/);
    const calls = callSummary(harness.mutating());
    const tagged = calls.indexOf("tag demo eks-upgrade:paused,eks-upgrade:paused-by,eks-upgrade:paused-at");
    assert.ok(tagged > 0, calls.join("\n"));
    assert.deepEqual(calls.slice(tagged + 1), [], "no update after the pause");
    const cp = plan.steps.findIndex((s) => s.kind === "controlPlane");
    assert.deepEqual(
      error.done,
      plan.steps.slice(0, cp + 1).map((s) => s.id),
    );

    // While paused the plan is refused, naming the cluster and the pause.
    const paused = await inspect(harness.clients, spec);
    assert.deepEqual(
      paused.plan.violations.map((v) => [v.code, v.field]),
      [["EKSUP033", "clusterName"]],
    );
    assert.match(paused.plan.violations[0]?.message ?? "", /error budget burn: incident 42/);

    const lifted = await resumeCluster(harness.clients, "demo");
    assert.equal(lifted?.reason, "error budget burn: incident 42");
    assert.equal(await resumeCluster(harness.clients, "demo"), undefined, "nothing to lift twice");
    assert.deepEqual(harness.emulator.state().clusters[0]?.tags, {}, "the pause tags are gone");
    const again = await inspect(harness.clients, spec);
    assert.deepEqual(again.plan.violations, []);
    await execute(harness.clients, spec, again.plan, { timeScale: 0.0001 });
    const updates = callSummary(harness.mutating()).filter((c) => !/^(un)?tag /.test(c));
    assert.equal(new Set(updates).size, updates.length, "no update issued twice");
  });

  it("a stop asked for while the last step runs: nothing was left out, so the run ends as done", async () => {
    h = await engineHarness(fleetSeed());
    const current = { amiReleaseVersion: "current" };
    const spec = h.spec({
      clusterVersion: "1.29",
      nodeGroups: { general: { amiReleaseVersion: "latest" }, arm: current, bottlerocket: current },
      addons: { "vpc-cni": "current", coredns: "current", "kube-proxy": "current" },
    });
    const { plan } = await inspect(h.clients, spec);
    assert.deepEqual(
      plan.steps.map((s) => s.id),
      ["nodegroup:general:1.29"],
    );
    const controller = new AbortController();
    const result = await execute(h.clients, spec, plan, {
      timeScale: 0.0001,
      stopAfterStep: controller.signal,
      onEvent: (e) => {
        if (e.type === "stepStarted") controller.abort("SIGINT received");
      },
    });
    assert.deepEqual(
      result.steps.map((s) => [s.id, s.outcome]),
      [["nodegroup:general:1.29", "updated"]],
    );
  });

  it("a pause reason must be a valid AWS tag value: named characters, a length, not empty", () => {
    assert.equal(pauseReasonProblem("error budget burn: see incident-42 @oncall"), undefined);
    assert.match(pauseReasonProblem("budget, see #42") ?? "", /^",", "#" cannot be in an AWS tag value/);
    assert.match(pauseReasonProblem("x".repeat(257)) ?? "", /at most 256 characters/);
    assert.match(pauseReasonProblem("  ") ?? "", /say why/);
  });
});
