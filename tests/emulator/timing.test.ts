import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UpdateClusterVersionCommand, UpdateNodegroupVersionCommand } from "@aws-sdk/client-eks";
import { DEFAULT_TIMING } from "../../emulator/src/index";
import { Timing } from "../../emulator/src/timing";
import { demoSeed, startHarness, stopHarness, waitForUpdate } from "../support/emulator";

const MIN = 60_000;

describe("timing model", () => {
  const timing = new Timing(DEFAULT_TIMING);

  it("node group updates grow with the node count and shrink with maxUnavailable", () => {
    const three = timing.nodegroupPhases({ desiredSize: 3, maxUnavailable: 1 });
    assert.deepEqual(three, {
      setupMs: 1 * MIN,
      scaleUpMs: 3 * MIN,
      batches: 3,
      perBatchMs: 2.5 * MIN,
      scaleDownMs: 1 * MIN,
      totalMs: 12.5 * MIN,
    });
    const twenty = timing.nodegroupPhases({ desiredSize: 20, maxUnavailable: 1 });
    assert.equal(twenty.batches, 20);
    assert.equal(twenty.totalMs, (1 + 3 + 20 * 2.5 + 1) * MIN);
    assert.equal(timing.nodegroupPhases({ desiredSize: 20, maxUnavailable: 5 }).batches, 4);
    assert.equal(timing.nodegroupPhases({ desiredSize: 20, maxUnavailablePercentage: 25 }).batches, 4);
    // MINIMAL: no surge, each batch waits for its replacement nodes.
    const minimal = timing.nodegroupPhases({ desiredSize: 3, maxUnavailable: 1, updateStrategy: "MINIMAL" });
    assert.equal(minimal.scaleUpMs, 0);
    assert.equal(minimal.perBatchMs, 5.5 * MIN);
  });

  it("a stuck drain fails after the 15-minute eviction timeout; nodes that never join fail after scale up", () => {
    assert.equal(
      timing.nodegroupFailureAfterMs({ desiredSize: 3 }, "PodEvictionFailure"),
      (1 + 3 + 15) * MIN,
    );
    assert.equal(timing.nodegroupFailureAfterMs({ desiredSize: 3 }, "NodeCreationFailure"), (1 + 3) * MIN);
  });

  it("timeScale turns simulated minutes into real milliseconds, and the updates really take that long", async () => {
    const timeScale = 0.0001; // 10 simulated minutes = 60 real ms
    const h = await startHarness(demoSeed({ timeScale }));
    try {
      const t0 = performance.now();
      const { update } = await h.eks.send(new UpdateClusterVersionCommand({ name: "demo", version: "1.30" }));
      const done = await waitForUpdate(h, { name: "demo", updateId: update?.id ?? "" });
      const elapsed = performance.now() - t0;
      assert.equal(done?.status, "Successful");
      assert.ok(elapsed >= 10 * MIN * timeScale, `finished after ${elapsed} ms, before the scaled 60 ms`);
      const recorded = h.emulator.state().clusters[0]?.updates[0];
      assert.equal(
        Math.round((recorded?.completesAt ?? 0) - (recorded?.createdAt ?? 0)),
        10 * MIN,
        "10 simulated minutes",
      );

      const t1 = performance.now();
      const ng = await h.eks.send(
        new UpdateNodegroupVersionCommand({ clusterName: "demo", nodegroupName: "general" }),
      );
      const ngDone = await waitForUpdate(h, {
        name: "demo",
        updateId: ng.update?.id ?? "",
        nodegroupName: "general",
      });
      assert.equal(ngDone?.status, "Successful");
      assert.ok(performance.now() - t1 >= 12.5 * MIN * timeScale);
      const ngRecorded = h.emulator.state().clusters[0]?.updates[1];
      assert.equal(Math.round((ngRecorded?.completesAt ?? 0) - (ngRecorded?.createdAt ?? 0)), 12.5 * MIN);
    } finally {
      await stopHarness(h);
    }
  });
});
