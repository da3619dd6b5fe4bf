import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type * as grpc from "@grpc/grpc-js";
import { EKSClient, UpdateAddonCommand } from "@aws-sdk/client-eks";
import { type Emulator, startEmulator } from "../../emulator/src/index";
import { callSummary, fleetSeed, TIME_SCALE } from "../support/engine";
import { DIFF_NONE, DIFF_SOME, partialState, ProviderHost } from "../support/host";
import { PROVIDER_ENV, serializedProvider } from "../support/provider";

type Props = Record<string, unknown>;
type Versions = {
  controlPlane: string;
  addons: Record<string, string>;
  nodeGroups: Record<string, { version: string }>;
};

describe("ClusterUpgrade through the real dynamic-provider host over gRPC", () => {
  let emulator: Emulator;
  let host: ProviderHost;
  let providerText: string;
  const inputs = (over: Props = {}): Props => ({
    clusterName: "demo",
    region: "us-east-1",
    endpoints: { eks: emulator.url, ssm: emulator.url },
    clusterVersion: "1.30",
    timeScale: TIME_SCALE,
    __provider: providerText,
    ...over,
  });
  const mutating = () => emulator.audit().filter((e) => e.mutating);

  before(async () => {
    providerText = await serializedProvider();
    emulator = await startEmulator({ seed: { ...fleetSeed(), timeScale: TIME_SCALE } });
    host = await ProviderHost.start();
    await host.configure({ "eks-upgrade:clusterName": "demo" });
  });
  after(async () => {
    await host.stop();
    await emulator.stop();
  });

  it("Check → Create → Diff → Read → Update (failing, with partial state) → Update → Delete", async () => {
    // Check: the plan is in the inputs; a lowered version fails on clusterVersion.
    const checked = await host.check({}, inputs());
    assert.deepEqual(checked.failures, []);
    const plan = checked.inputs.plan as { step: string; versions: string }[];
    assert.ok(
      plan.some((i) => /control plane/.test(i.step) && i.versions === "1.29 -> 1.30"),
      JSON.stringify(plan),
    );
    assert.equal(checked.inputs.__provider, providerText);
    const lowered = await host.check({}, inputs({ clusterVersion: "1.28" }));
    assert.deepEqual(
      lowered.failures.map((f) => f.property),
      ["clusterVersion"],
    );
    assert.match(lowered.failures[0]?.reason ?? "", /EKSUP001/);
    assert.deepEqual(mutating(), [], "check only reads");

    // Create: the upgrade runs in order and the outputs show the versions reached.
    const created = await host.create(checked.inputs);
    assert.equal(created.id, "us-east-1/demo");
    const calls = callSummary(mutating());
    const cp = calls.indexOf("controlPlane 1.30");
    assert.ok(cp >= 0);
    assert.ok(calls.slice(cp + 1).every((c) => !c.startsWith("controlPlane")));
    const firstNode = calls.findIndex((c) => c.startsWith("nodegroup"));
    assert.ok(
      firstNode > cp && calls.slice(firstNode).every((c) => c.startsWith("nodegroup")),
      calls.join("\n"),
    );
    const versions = created.properties.versions as Versions;
    assert.equal(versions.controlPlane, "1.30");
    assert.deepEqual(
      Object.values(versions.nodeGroups).map((n) => n.version),
      ["1.30", "1.30", "1.30"],
    );
    assert.equal(created.properties.__provider, providerText);
    assert.ok(
      host.stdout.some((l) => /^\[eks-upgrade demo\] done {5}controlPlane:1\.30 in \d+m\d\ds$/.test(l)),
      host.stdout.join("\n"),
    );

    // Diff: explicit none when the plan is empty and nothing changed, some otherwise.
    const recheck = await host.check(created.properties, inputs());
    assert.deepEqual(recheck.inputs.plan, []);
    assert.equal((await host.diff(created.id, created.properties, recheck.inputs)).changes, DIFF_NONE);
    const raised = await host.check(created.properties, inputs({ clusterVersion: "1.31" }));
    assert.equal((await host.diff(created.id, created.properties, raised.inputs)).changes, DIFF_SOME);

    // Read: a change made behind its back shows.
    const eks = new EKSClient({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials: {
        accessKeyId: PROVIDER_ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: PROVIDER_ENV.AWS_SECRET_ACCESS_KEY,
      },
    });
    const corednsBefore = versions.addons.coredns;
    const newer = emulator.world.catalog
      .addonVersions("coredns")
      .filter((v) => v.compatibleWith.has("1.30"))
      .at(-1)?.version;
    await eks.send(
      new UpdateAddonCommand({ clusterName: "demo", addonName: "coredns", addonVersion: newer }),
    );
    eks.destroy();
    emulator.advanceClock(600);
    const read = await host.read(created.id, created.properties);
    assert.notEqual(corednsBefore, newer);
    assert.equal((read.properties.versions as Versions).addons.coredns, newer);
    assert.equal(read.properties.__provider, providerText);

    // Update that fails: the error carries the true partial state, __provider included.
    emulator.injectFault({
      kind: "updateFailure",
      cluster: "demo",
      nodegroup: "arm",
      errorCode: "NodeCreationFailure",
    });
    const stdoutBefore = host.stdout.length;
    const failed = await host.update(created.id, created.properties, raised.inputs).then(
      () => assert.fail("the update should fail"),
      (e: grpc.ServiceError) => e,
    );
    assert.match(failed.details, /NodeCreationFailure/);
    const partial = partialState(failed);
    assert.ok(partial, "the failure carries partial state");
    assert.equal(partial.id, "us-east-1/demo");
    assert.equal(partial.properties.__provider, providerText);
    assert.equal(
      (partial.properties.versions as Versions).controlPlane,
      "1.31",
      "the control plane really reached 1.31",
    );
    assert.equal((partial.properties.versions as Versions).nodeGroups.arm?.version, "1.30", "arm did not");
    assert.match(partial.reasons[0] ?? "", /check EC2 capacity/);
    assert.ok(
      host.stdout.slice(stdoutBefore).some((l) => /(started|done) {2,5}controlPlane:1\.31:? /.test(l)),
      "progress lines during Update",
    );

    // The node group's health issue blocks a re-run until fixed: the check says so.
    const blocked = await host.check(partial.properties, inputs({ clusterVersion: "1.31" }));
    assert.deepEqual(
      blocked.failures.map((f) => [f.property, /^EKSUP\d+ nodeGroups\.arm: /.test(f.reason)]),
      [["", true]],
      JSON.stringify(blocked.failures),
    );

    // Delete: nothing that changes the cluster.
    const before = mutating().length;
    await host.delete(created.id, partial.properties);
    assert.equal(mutating().length, before);
  });
});
