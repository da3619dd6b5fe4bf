import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DescribeNodegroupCommand } from "@aws-sdk/client-eks";
import { execute, inspect } from "../../providers/engine/src/index";
import { callSummary, type EngineHarness, engineHarness, TIME_SCALE } from "../support/engine";

/*
 * A node group's update settings from the spec (updateStrategy, maxUnavailable) reach EKS with
 * UpdateNodegroupConfig before its version update, and the version update is estimated with them.
 */
describe("node group update settings", () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness({
      clusters: [
        {
          name: "demo",
          version: "1.35",
          nodegroups: [
            {
              name: "gpu",
              amiType: "AL2023_x86_64_NVIDIA",
              releaseVersion: "1.35.0-20260114",
              desiredSize: 4,
            },
            {
              name: "general",
              amiType: "AL2023_x86_64_STANDARD",
              releaseVersion: "1.35.0-20260114",
              desiredSize: 4,
              updateStrategy: "MINIMAL",
            },
          ],
        },
      ],
    });
  });
  after(() => h.stop());

  it("updateStrategy MINIMAL is set first, then the node group rolls with it; EKS keeps it", async () => {
    const spec = h.spec({
      clusterVersion: "1.35",
      nodeGroups: {
        gpu: { updateStrategy: "MINIMAL", maxUnavailable: 2 },
        general: { updateStrategy: "MINIMAL" },
      },
    });
    const { plan } = await inspect(h.clients, spec);
    assert.deepEqual(plan.violations, []);
    assert.deepEqual(
      plan.steps.map((s) => [s.phase, s.id, s.from, s.to]),
      [
        [
          1,
          "nodegroupConfig:gpu",
          "maxUnavailable 1, updateStrategy DEFAULT",
          "maxUnavailable 2, updateStrategy MINIMAL",
        ],
        [
          2,
          "nodegroup:general:1.35",
          "1.35 1.35.0-20260114",
          `1.35 ${h.emulator.world.catalog.latestRelease("AL2023", "1.35")}`,
        ],
        [
          2,
          "nodegroup:gpu:1.35",
          "1.35 1.35.0-20260114",
          `1.35 ${h.emulator.world.catalog.latestRelease("AL2023", "1.35")}`,
        ],
      ],
      "general already has MINIMAL: no config step for it",
    );
    // MINIMAL: no surge, each batch waits for its replacements; gpu with 2 at a time, general 1.
    assert.deepEqual(
      plan.steps.filter((s) => s.kind === "nodegroup").map((s) => [s.target, s.estimatedMinutes]),
      [
        ["general", 1 + 4 * 5.5 + 1],
        ["gpu", 1 + 2 * 5.5 + 1],
      ],
    );
    await execute(h.clients, spec, plan, { timeScale: TIME_SCALE });
    assert.deepEqual(callSummary(h.mutating()), [
      "nodegroupConfig gpu",
      "nodegroup general 1.35",
      "nodegroup gpu 1.35",
    ]);
    assert.deepEqual(h.mutating()[0]?.params, {
      updateConfig: { maxUnavailable: 2, updateStrategy: "MINIMAL" },
    });
    const { nodegroup } = await h.clients.eks.send(
      new DescribeNodegroupCommand({ clusterName: "demo", nodegroupName: "gpu" }),
    );
    assert.deepEqual(nodegroup?.updateConfig, { maxUnavailable: 2, updateStrategy: "MINIMAL" });
    assert.deepEqual((await inspect(h.clients, spec)).plan.steps, [], "nothing left to do");
  });
});
