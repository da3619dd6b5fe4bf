import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DescribeClusterCommand } from "@aws-sdk/client-eks";
import { execute, inspect } from "../../providers/engine/src/index";
import { callSummary, type EngineHarness, engineHarness, TIME_SCALE } from "../support/engine";

/*
 * EKS Auto Mode (computeConfig.enabled): EKS runs the nodes of its node pools and upgrades them by
 * itself after the control plane. The plan covers the control plane, add-ons and managed node
 * groups only, and says so.
 */
describe("EKS Auto Mode clusters", () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness({
      clusters: [
        {
          name: "demo",
          version: "1.34",
          autoMode: true,
          addons: { "kube-proxy": "v1.34.0-eksbuild.2" },
          nodegroups: [{ name: "legacy", amiType: "AL2023_x86_64_STANDARD", desiredSize: 2 }],
        },
      ],
    });
  });
  after(() => h.stop());

  it("DescribeCluster reports computeConfig enabled", async () => {
    const { cluster } = await h.clients.eks.send(new DescribeClusterCommand({ name: "demo" }));
    assert.equal(cluster?.computeConfig?.enabled, true);
    assert.deepEqual(cluster?.computeConfig?.nodePools, ["general-purpose", "system"]);
  });

  it("plans the control plane, add-ons and the managed node group; Auto Mode's nodes are EKS's (EKSUP109)", async () => {
    const spec = h.spec({ clusterVersion: "1.35" });
    const { plan } = await inspect(h.clients, spec);
    assert.deepEqual(plan.violations, []);
    assert.deepEqual(
      plan.steps.map((s) => s.id),
      ["controlPlane:1.35", "addon:kube-proxy:v1.35.3-eksbuild.17", `nodegroup:legacy:1.35`],
    );
    assert.deepEqual(
      plan.warnings.filter((w) => w.code === "EKSUP109").map((w) => w.message),
      [
        "cluster demo runs EKS Auto Mode: after the control plane reaches 1.35, EKS replaces the nodes of its node pools by itself; this plan covers the control plane, add-ons and 1 managed node group",
      ],
    );
    await execute(h.clients, spec, plan, { timeScale: TIME_SCALE });
    assert.deepEqual(callSummary(h.mutating()), [
      "controlPlane 1.35",
      "addon kube-proxy v1.35.3-eksbuild.17",
      "nodegroup legacy 1.35",
    ]);
    // Nothing to move: no Auto Mode warning either.
    const again = await inspect(h.clients, spec);
    assert.deepEqual(again.plan.steps, []);
    assert.ok(!again.plan.warnings.some((w) => w.code === "EKSUP109"));
  });
});
