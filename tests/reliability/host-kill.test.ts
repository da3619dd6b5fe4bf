import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Emulator, startEmulator } from "../../emulator/src/index";
import { callSummary, fleetSeed } from "../support/engine";
import { ProviderHost } from "../support/host";
import { serializedProvider } from "../support/provider";

describe("the provider host killed in the middle of an upgrade", () => {
  let emulator: Emulator;
  let providerText: string;
  /** Every host the test starts, killed after it whatever happened (a failed assertion included). */
  const hosts: ProviderHost[] = [];
  const startHost = async () => {
    const host = await ProviderHost.start();
    hosts.push(host);
    return host;
  };
  const timeScale = 0.001;
  before(async () => {
    providerText = await serializedProvider();
    // A slow control plane (60 simulated minutes, 3.6 s real): still running when the second host starts.
    emulator = await startEmulator({
      seed: { ...fleetSeed({ addons: {} }), timeScale, timing: { controlPlaneMinutes: 60 } },
    });
  });
  after(async () => {
    await Promise.all(hosts.map((h) => h.kill()));
    await emulator.stop();
  });

  it("a new host resumes: the running update is awaited, nothing is issued twice, the cluster converges", async () => {
    const inputs = {
      clusterName: "demo",
      region: "us-east-1",
      endpoints: { eks: emulator.url, ssm: emulator.url },
      clusterVersion: "1.30",
      timeScale,
      deadlines: { controlPlaneMinutes: 240 },
      __provider: providerText,
    };
    const first = await startHost();
    await first.configure();
    const checked = await first.check({}, inputs);
    const creating = first.create(checked.inputs).catch((e: Error) => e);
    for (let i = 0; i < 1000 && !first.stdout.some((l) => /started {2}controlPlane:1\.30: /.test(l)); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(
      first.stdout.some((l) => /started {2}controlPlane:1\.30: /.test(l)),
      "the control-plane step started",
    );
    await first.kill();
    assert.ok((await creating) instanceof Error, "the interrupted create never answered");
    assert.equal(
      emulator.state().clusters[0]?.updates.at(-1)?.status,
      "InProgress",
      "the update goes on in EKS",
    );

    const second = await startHost();
    try {
      await second.configure();
      const again = await second.check({}, inputs);
      const created = await second.create(again.inputs);
      assert.equal((created.properties.versions as { controlPlane: string }).controlPlane, "1.30");
      assert.ok(
        second.stdout.some((l) => /(resuming|skipped {2}) controlPlane:1\.30: /.test(l)),
        second.stdout.join("\n"),
      );
      const calls = callSummary(emulator.audit().filter((e) => e.mutating && e.status === 200));
      assert.equal(calls.filter((c) => c === "controlPlane 1.30").length, 1, calls.join("\n"));
      assert.equal(new Set(calls).size, calls.length, "no update issued twice");
      assert.ok(emulator.state().clusters[0]?.nodegroups.every((n) => n.version === "1.30"));
    } finally {
      await second.stop();
    }
  });
});
