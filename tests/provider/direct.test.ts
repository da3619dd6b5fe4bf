import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { UpdateNodegroupVersionCommand } from "@aws-sdk/client-eks";
import { type Emulator, startEmulator } from "../../emulator/src/index";
import { clusterUpgradeProvider as provider } from "../../providers/clusterUpgrade/index";
import { callSummary, fleetSeed, TIME_SCALE } from "../support/engine";
import { withEnv } from "../support/env";
import { PROVIDER_ENV } from "../support/provider";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
type Props = Record<string, unknown>;

describe("ClusterUpgrade provider, methods called directly", () => {
  let emulator: Emulator;
  let restoreEnv: () => void;
  const inputs = (over: Props = {}): Props => ({
    clusterName: "demo",
    region: "us-east-1",
    endpoints: { eks: emulator.url, ssm: emulator.url },
    clusterVersion: "1.31",
    timeScale: TIME_SCALE,
    __provider: "serialized-provider-text",
    ...over,
  });
  const mutating = () => emulator.audit().filter((e) => e.mutating);

  before(async () => {
    restoreEnv = withEnv(PROVIDER_ENV);
    emulator = await startEmulator({ seed: { ...fleetSeed(), timeScale: TIME_SCALE } });
  });
  after(async () => {
    await emulator.stop();
    restoreEnv();
  });
  beforeEach(() => emulator.reset());

  it("check with unknown values (top level or nested) skips observation and never throws", async () => {
    for (const unknownInputs of [
      inputs({ clusterName: UNKNOWN }),
      inputs({ endpoints: { eks: UNKNOWN, ssm: emulator.url } }),
      inputs({ nodeGroups: { general: { amiReleaseVersion: UNKNOWN } } }),
      inputs({ upgrade: { insights: ["Deprecated APIs removed in Kubernetes v1.30", UNKNOWN] } }),
    ]) {
      const result = await provider.check?.({}, unknownInputs);
      assert.equal(result?.inputs?.plan, UNKNOWN);
      assert.equal(result?.failures, undefined);
    }
    assert.deepEqual(emulator.audit(), [], "nothing was asked of AWS");
  });

  it("check puts the plan, one item per step, and its estimate into the inputs; reads only", async () => {
    const result = await provider.check?.({}, inputs());
    assert.deepEqual(result?.failures, []);
    const plan = result?.inputs?.plan as { step: string; versions: string; why: string }[];
    assert.ok(plan.length > 5);
    const controlPlane = plan.filter((i) => /^\d+\. control plane \(phase \d+, ~10 min\)$/.test(i.step));
    assert.deepEqual(
      controlPlane.map((i) => i.versions),
      ["1.29 -> 1.30", "1.30 -> 1.31"],
    );
    assert.deepEqual(
      plan.map((i) => Number(i.step.split(".")[0])),
      plan.map((_, i) => i + 1),
      "numbered in order",
    );
    assert.match(
      String(result?.inputs?.estimate),
      new RegExp(
        `^${plan.length} steps, ~\\d+ min \\(the add-ons of one phase together, node groups one at a time\\)$`,
      ),
    );
    assert.equal(result?.inputs?.__provider, "serialized-provider-text");
    assert.deepEqual(mutating(), []);
  });

  it("check says in the diagnostics what the bake period holds, as no diff will show it", async () => {
    const logged: string[] = [];
    const log = console.log;
    console.log = (line: string) => logged.push(line);
    try {
      const result = await provider.check?.(
        {},
        inputs({ clusterVersion: "1.30", upgrade: { bakeHours: 12 }, configNamespace: "eks-upgrade" }),
      );
      assert.deepEqual(result?.failures, []);
    } finally {
      console.log = log;
    }
    assert.ok(
      logged.some((l) =>
        /^\[eks-upgrade demo\] EKSUP111 eks-upgrade:upgrade\.bakeHours: 3 node group updates and \d+ other steps? wait until the control plane has run 1\.30 for 12 hours/.test(
          l,
        ),
      ),
      logged.join("\n"),
    );
  });

  it("check fails a lowered version on clusterVersion, with the remedy; a bad input on its field", async () => {
    const lowered = await provider.check?.({}, inputs({ clusterVersion: "1.28" }));
    assert.deepEqual(
      lowered?.failures?.map((f) => f.property),
      ["clusterVersion"],
    );
    assert.match(
      lowered?.failures?.[0]?.reason ?? "",
      /^EKSUP001 clusterVersion: 1\.28 is lower than the control plane's 1\.29.*Set clusterVersion to the running version or higher/,
    );
    const bad = await provider.check?.(
      {},
      inputs({ upgrade: { concurrency: 0 }, nodeGroups: { general: { force: "yes" } } }),
    );
    // Nested keys go without a property (Pulumi would print "value {<nil>}"); the reason names them.
    assert.deepEqual(bad?.failures?.map((f) => [f.property, f.reason.split(":")[0]]).sort(), [
      ["", "nodeGroups.general.force"],
      ["", "upgrade.concurrency"],
    ]);
    const missing = await provider.check?.({}, inputs({ clusterName: "nope" }));
    assert.deepEqual(missing?.failures, undefined);
    assert.equal(missing?.inputs?.plan, UNKNOWN, "a plan not known yet shows as unknown in a preview");
    assert.match(
      String(missing?.inputs?.estimate),
      /^cluster nope does not exist yet: the plan is made once it does$/,
    );
    assert.deepEqual(mutating(), []);
  });

  it("check refuses a target the upstream stack has not run long enough (promotion gate)", async () => {
    const promotion = {
      upstreamStack: "acme/eks-upgrade/staging",
      upstreamVersion: "1.30",
      upstreamUpgradedAt: "2026-01-01T00:00:00Z",
      soakHours: 72,
    };
    const ahead = await provider.check?.({}, inputs({ clusterVersion: "1.31", promotion }));
    assert.deepEqual(
      ahead?.failures?.map((f) => [f.property, f.reason.slice(0, 8)]),
      [["clusterVersion", "EKSUP017"]],
    );
    assert.match(
      ahead?.failures?.[0]?.reason ?? "",
      /ahead of the upstream stack acme\/eks-upgrade\/staging, which runs 1\.30/,
    );
    const soaked = await provider.check?.({}, inputs({ clusterVersion: "1.30", promotion }));
    assert.deepEqual(soaked?.failures, []);
    const unknown = await provider.check?.(
      {},
      inputs({ clusterVersion: "1.31", promotion: { ...promotion, upstreamVersion: UNKNOWN } }),
    );
    assert.deepEqual(unknown?.failures, [], "an unknown upstream is not refused during preview");
    assert.deepEqual(mutating(), []);
  });

  it("diff always answers true or false", async () => {
    const same = inputs({ plan: [] });
    assert.deepEqual(await provider.diff?.("id", { ...same, versions: {} }, same), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.equal((await provider.diff?.("id", same, { ...same, plan: ["1. step"] }))?.changes, true);
    assert.equal((await provider.diff?.("id", same, { ...same, plan: UNKNOWN }))?.changes, true);
    assert.equal(
      (await provider.diff?.("id", same, { ...same, nodeGroups: { general: { canary: true } } }))?.changes,
      true,
    );
    // The same spec written with keys in another order is no change.
    const a = inputs({ plan: [], nodeGroups: { general: { force: true, amiReleaseVersion: "latest" } } });
    const b = inputs({ plan: [], nodeGroups: { general: { amiReleaseVersion: "latest", force: true } } });
    assert.equal((await provider.diff?.("id", a, b))?.changes, false);
    // ... but canaries in another order are: they upgrade in the order listed.
    const canaries = (...names: string[]) =>
      inputs({ plan: [], nodeGroups: Object.fromEntries(names.map((n) => [n, { canary: true }])) });
    assert.equal(
      (await provider.diff?.("id", canaries("arm", "general"), canaries("general", "arm")))?.changes,
      true,
    );
    assert.equal(
      (await provider.diff?.("id", canaries("arm", "general"), canaries("arm", "general")))?.changes,
      false,
    );
    const moved = await provider.diff?.("id", same, { ...same, clusterName: "other" });
    assert.deepEqual(moved?.replaces, ["clusterName"]);
  });

  it("create runs the upgrade and returns the versions really running", async () => {
    const result = await provider.create(inputs());
    assert.equal(result.id, "us-east-1/demo");
    const outs = result.outs as {
      versions: { controlPlane: string; nodeGroups: Record<string, { version: string }> };
      lastPlan: { step: string }[];
      timings: { outcome: string }[];
    };
    assert.equal(outs.versions.controlPlane, "1.31");
    assert.deepEqual(
      Object.values(outs.versions.nodeGroups).map((n) => n.version),
      ["1.31", "1.31", "1.31"],
    );
    assert.equal(outs.timings.length, outs.lastPlan.length);
    const calls = callSummary(mutating());
    assert.ok(calls.indexOf("controlPlane 1.30") < calls.indexOf("controlPlane 1.31"));
    assert.ok(calls.findIndex((c) => c.startsWith("nodegroup")) > calls.lastIndexOf("controlPlane 1.31"));
    assert.equal((outs as unknown as Props).__provider, "serialized-provider-text");
  });

  it("read reports a change made behind its back", async () => {
    emulator.reset({
      timeScale: TIME_SCALE,
      clusters: [{ ...(fleetSeed().clusters?.[0] as object), name: "demo", version: "1.30" }],
    });
    const before = await provider.read?.("us-east-1/demo", inputs({ clusterVersion: "1.30" }));
    const general = (before?.props?.versions as { nodeGroups: Record<string, { version: string }> })
      .nodeGroups.general;
    assert.equal(general?.version, "1.29");
    const { EKSClient } = await import("@aws-sdk/client-eks");
    const eks = new EKSClient({ region: "us-east-1", endpoint: emulator.url });
    await eks.send(new UpdateNodegroupVersionCommand({ clusterName: "demo", nodegroupName: "general" }));
    eks.destroy();
    emulator.advanceClock(24 * 3600);
    const afterRead = await provider.read?.("us-east-1/demo", inputs({ clusterVersion: "1.30" }));
    assert.equal(
      (afterRead?.props?.versions as { nodeGroups: Record<string, { version: string }> }).nodeGroups.general
        ?.version,
      "1.30",
    );
    assert.equal(afterRead?.id, "us-east-1/demo");
  });

  it("a failed update throws the true partial state, with __provider, for Pulumi to save", async () => {
    emulator.injectFault({
      kind: "updateFailure",
      cluster: "demo",
      nodegroup: "bottlerocket",
      errorCode: "PodEvictionFailure",
      unlessForce: true,
    });
    await assert.rejects(
      provider.update?.("us-east-1/demo", inputs(), inputs()) ?? Promise.resolve(),
      (e: Error & Props) => {
        assert.equal(e.id, "us-east-1/demo");
        const props = e.properties as Props & {
          versions: { controlPlane: string; nodeGroups: Record<string, { version: string }> };
        };
        assert.equal(props.__provider, "serialized-provider-text");
        assert.equal(props.versions.controlPlane, "1.31", "the control plane really moved");
        assert.equal(props.versions.nodeGroups.arm?.version, "1.31", "arm (before bottlerocket) moved");
        assert.equal(props.versions.nodeGroups.bottlerocket?.version, "1.29", "bottlerocket did not");
        assert.match((e.reasons as string[])[0] ?? "", /PodEvictionFailure.*nodeGroups\.bottlerocket\.force/);
        return true;
      },
    );
  });

  it("delete changes nothing", async () => {
    await provider.delete?.("us-east-1/demo", inputs());
    assert.deepEqual(emulator.audit(), []);
  });
});
