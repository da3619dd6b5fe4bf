import assert from "node:assert/strict";
import { DescribeUpdateCommand } from "@aws-sdk/client-eks";
import { after, before, describe, it } from "node:test";
import { execute, inspect } from "../../providers/engine/src/index";
import { callSummary, type EngineHarness, engineHarness, TIME_SCALE } from "../support/engine";

/*
 * upgrade.bakeHours: the control plane moves (with the add-ons that must go first, on versions
 * valid on both minors), then the rest waits until it has run the new minor for the bake period,
 * so a rollback within EKS's 7-day window has only the control plane to take back.
 */
describe("a bake period between the control plane and the node groups", () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness({
      clusters: [
        {
          name: "demo",
          version: "1.34",
          addons: { "vpc-cni": "v1.20.4-eksbuild.2", "kube-proxy": "v1.34.0-eksbuild.2" },
          nodegroups: [{ name: "general", amiType: "AL2023_x86_64_STANDARD", desiredSize: 2 }],
        },
      ],
    });
  });
  after(() => h.stop());

  const spec = () => h.spec({ clusterVersion: "1.35", upgrade: { bakeHours: 24 } });
  const held = (warnings: { code: string; message: string }[]) =>
    warnings.filter((w) => w.code === "EKSUP111").map((w) => w.message);

  it("the first run moves what must go first and the control plane, and leaves the rest", async () => {
    const { plan } = await inspect(h.clients, spec());
    assert.deepEqual(
      plan.steps.map((s) => s.id),
      ["addon:vpc-cni:v1.21.1-eksbuild.7", "controlPlane:1.35"],
    );
    assert.deepEqual(held(plan.warnings), [
      "1 node group update and 2 other steps wait until the control plane has run 1.35 for 24 hours: run again 24 hours after it gets there",
    ]);
    await execute(h.clients, spec(), plan, { timeScale: TIME_SCALE });
    assert.deepEqual(callSummary(h.mutating()), ["addon vpc-cni v1.21.1-eksbuild.7", "controlPlane 1.35"]);
    const state = h.emulator.state().clusters[0];
    assert.equal(state?.version, "1.35");
    assert.equal(
      state?.nodegroups[0]?.version,
      "1.34",
      "the node group stays on the minor a rollback returns to",
    );
  });

  it("during the bake period a run does nothing and says until when", async () => {
    const { plan } = await inspect(h.clients, spec());
    assert.deepEqual(plan.steps, []);
    const cp = h.emulator.audit().find((e) => e.operation === "UpdateClusterVersion");
    // From the update's start as EKS reports it (the audit's time is the request's, a few simulated
    // seconds earlier at this time scale: across a minute boundary it named another minute).
    const { update } = await h.clients.eks.send(
      new DescribeUpdateCommand({ name: "demo", updateId: cp!.updateId }),
    );
    const until = new Date(update!.createdAt!.getTime() + 24 * 3_600_000)
      .toISOString()
      .slice(0, 16)
      .replace("T", " ");
    assert.deepEqual(held(plan.warnings), [
      `1 node group update and 2 other steps wait until the control plane has run 1.35 for 24 hours, until ${until} UTC (upgrade ${cp!.updateId})`,
    ]);
  });

  it("once it has passed, the add-ons that need 1.35 and the node groups follow", async () => {
    h.emulator.advanceClock(24 * 3600);
    const { plan } = await inspect(h.clients, spec());
    assert.deepEqual(held(plan.warnings), []);
    assert.deepEqual(
      plan.steps.map((s) => s.kind),
      ["addon", "addon", "nodegroup"],
    );
    const before = h.mutating().length;
    await execute(h.clients, spec(), plan, { timeScale: TIME_SCALE });
    assert.equal(h.mutating().length - before, 3);
    assert.equal(h.emulator.state().clusters[0]?.nodegroups[0]?.version, "1.35");
    assert.deepEqual((await inspect(h.clients, spec())).plan.steps, []);
  });
});
