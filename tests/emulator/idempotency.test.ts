import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ListUpdatesCommand,
  UpdateAddonCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupVersionCommand,
} from "@aws-sdk/client-eks";
import { type Harness, startHarness, stopHarness } from "../support/emulator";

describe("clientRequestToken idempotency", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => stopHarness(h));

  it("returns the same update for the same token, for the control plane, a node group and an add-on", async () => {
    const token = "9c1f7a52-4c0e-4d33-9f77-000000000001";
    const a = await h.eks.send(
      new UpdateClusterVersionCommand({ name: "demo", version: "1.30", clientRequestToken: token }),
    );
    // Without the token this second call would be refused: an update is already running.
    const b = await h.eks.send(
      new UpdateClusterVersionCommand({ name: "demo", version: "1.30", clientRequestToken: token }),
    );
    assert.equal(b.update?.id, a.update?.id);
    assert.deepEqual((await h.eks.send(new ListUpdatesCommand({ name: "demo" }))).updateIds, [a.update?.id]);

    h.emulator.advanceClock(600);
    const ngToken = "9c1f7a52-4c0e-4d33-9f77-000000000002";
    const n1 = await h.eks.send(
      new UpdateNodegroupVersionCommand({
        clusterName: "demo",
        nodegroupName: "general",
        clientRequestToken: ngToken,
      }),
    );
    const n2 = await h.eks.send(
      new UpdateNodegroupVersionCommand({
        clusterName: "demo",
        nodegroupName: "general",
        clientRequestToken: ngToken,
      }),
    );
    assert.equal(n2.update?.id, n1.update?.id);

    const addonToken = "9c1f7a52-4c0e-4d33-9f77-000000000003";
    const x1 = await h.eks.send(
      new UpdateAddonCommand({ clusterName: "demo", addonName: "coredns", clientRequestToken: addonToken }),
    );
    const x2 = await h.eks.send(
      new UpdateAddonCommand({ clusterName: "demo", addonName: "coredns", clientRequestToken: addonToken }),
    );
    assert.equal(x2.update?.id, x1.update?.id);
    const started = h.emulator.state().clusters[0]?.updates ?? [];
    assert.equal(started.length, 3);
  });

  it("the SDK sends a fresh token per call: two calls without one are two requests", async () => {
    h.emulator.reset();
    await h.eks.send(new UpdateClusterVersionCommand({ name: "demo", version: "1.30" }));
    await assert.rejects(h.eks.send(new UpdateClusterVersionCommand({ name: "demo", version: "1.30" })), {
      name: "ResourceInUseException",
    });
  });
});
