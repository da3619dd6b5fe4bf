import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import catalogData from "../../emulator/data/eks-catalog.json";
import {
  execute,
  inspect,
  type ProgressEvent,
  progressLines,
  restrictPlan,
} from "../../providers/engine/src/index";
import { type EngineHarness, engineHarness, fleetSeed, GENERAL_1_29 } from "../support/engine";
import type { SeedInput } from "../../emulator/src/index";
import demo from "../../emulator/seeds/demo.json";

/*
 * "current" (keep what runs until the control plane's move forces a change) and --only's
 * restriction, on the fleet's 1.29 cluster. Expected versions come from the catalog's data: its
 * lists keep the published order, the newest last.
 */
const data = catalogData as unknown as {
  amiReleases: Record<string, Record<string, string[]>>;
  addons: Record<string, { version: string; compatibleWith: string[] }[]>;
};
const newestRelease = (minor: string) => data.amiReleases.AL2023?.[minor]?.at(-1);
const newestAddon = (name: string, minor: string) =>
  data.addons[name]?.filter((v) => v.compatibleWith.includes(minor)).at(-1)?.version;

describe('"current" and --only', () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness(fleetSeed());
  });
  after(() => h.stop());

  const ALL_CURRENT = {
    nodeGroups: {
      general: { amiReleaseVersion: "current" },
      arm: { amiReleaseVersion: "current" },
      bottlerocket: { amiReleaseVersion: "current" },
    },
    addons: { "vpc-cni": "current", coredns: "current", "kube-proxy": "current" },
  };

  it("everything current on the running minor: nothing to do, though newer releases and add-ons exist", async () => {
    assert.notEqual(newestRelease("1.29"), GENERAL_1_29.releaseVersion, "general is behind");
    const { plan } = await inspect(h.clients, h.spec({ clusterVersion: "1.29", ...ALL_CURRENT }));
    assert.deepEqual(plan.violations, []);
    assert.deepEqual(plan.steps, []);
  });

  it("one node group on latest, the rest current: exactly its step, to the newest published release", async () => {
    const { plan } = await inspect(
      h.clients,
      h.spec({
        clusterVersion: "1.29",
        ...ALL_CURRENT,
        nodeGroups: { ...ALL_CURRENT.nodeGroups, general: { amiReleaseVersion: "latest" } },
      }),
    );
    assert.deepEqual(
      plan.steps.map((s) => [s.id, s.to]),
      [["nodegroup:general:1.29", `1.29 ${newestRelease("1.29")}`]],
    );
  });

  it("the control plane moves: current node groups and add-ons follow to the target's newest, and the plan says why", async () => {
    const { plan } = await inspect(h.clients, h.spec({ clusterVersion: "1.30", ...ALL_CURRENT }));
    assert.deepEqual(plan.violations, []);
    const general = plan.steps.find((s) => s.id === "nodegroup:general:1.30");
    assert.equal(general?.to, `1.30 ${newestRelease("1.30")}`);
    assert.match(general?.reason ?? "", /^current: it must follow the control plane to 1\.30/);
    const coredns = plan.steps.filter((s) => s.kind === "addon" && s.target === "coredns");
    assert.equal(coredns.at(-1)?.to, newestAddon("coredns", "1.30"));
    assert.ok(
      coredns.every((s) => /current: the control plane moves to 1\.30/.test(s.reason)),
      coredns.map((s) => s.reason).join("\n"),
    );
  });

  it("--only refuses a plan that needs a step outside the selection, and a target the cluster lacks", async () => {
    const inspection = await inspect(h.clients, h.spec({ clusterVersion: "1.30", ...ALL_CURRENT }));
    const restricted = restrictPlan(inspection.plan, inspection.observed, [
      "nodegroup:general",
      "addon:nosuch",
    ]);
    assert.deepEqual(
      restricted.violations.map((v) => [v.code, v.field]),
      [
        ["EKSUP034", "only"],
        ["EKSUP034", "only"],
      ],
    );
    assert.match(restricted.violations[0]?.message ?? "", /^addon:nosuch is not a target of cluster demo/);
    // Every step but general's is named, the control plane's with why it is there.
    const outside = inspection.plan.steps.filter((s) => s.target !== "general");
    for (const s of outside) assert.ok(restricted.violations[1]?.message.includes(`${s.id} (`), s.id);
    assert.ok(!restricted.violations[1]?.message.includes("nodegroup:general:1.30 ("));
    assert.match(restricted.violations[1]?.message ?? "", /controlPlane:1\.30 \(target version\)/);

    // A plan inside the selection is left as it is.
    const one = await inspect(
      h.clients,
      h.spec({
        clusterVersion: "1.29",
        ...ALL_CURRENT,
        nodeGroups: { ...ALL_CURRENT.nodeGroups, general: { amiReleaseVersion: "latest" } },
      }),
    );
    assert.equal(restrictPlan(one.plan, one.observed, ["nodegroup:general"]), one.plan);
  });
});

describe("a run that meets an update it did not start", () => {
  it("labels what it awaits with that update's own target, not its step's", async () => {
    // demo.json: aws-ebs-csi-driver v1.48.0 climbs one offered series at a time on the way to 1.34.
    const h = await engineHarness(demo as SeedInput);
    try {
      const spec = h.spec({ clusterVersion: "1.34" });
      const { plan } = await inspect(h.clients, spec);
      const ebs = plan.steps.filter((s) => s.kind === "addon" && s.target === "aws-ebs-csi-driver");
      assert.ok(ebs.length >= 2, plan.lines.join("\n"));
      const [first, last] = [ebs[0]!, ebs.at(-1)!];
      let otherId = "";
      const events: ProgressEvent[] = [];
      await execute(h.clients, spec, plan, {
        timeScale: 0.0001,
        onEvent: (e) => {
          events.push(e);
          // Once the control plane runs 1.34, someone else takes the add-on to its last version
          // (the emulator's own call, so it lands before our run's next step), and it stays running
          // until our run awaits it.
          if (e.type === "stepFinished" && e.step.kind === "controlPlane") {
            otherId = h.emulator.world.eks.updateAddon("demo", "aws-ebs-csi-driver", {
              addonVersion: last.to,
            }).update.id;
            h.emulator.pauseClock();
          }
          if (e.type === "stepStarted" && e.resumed) h.emulator.resumeClock();
        },
      });
      const started = events.find((e) => e.type === "stepStarted" && e.step.id === first.id);
      assert.ok(started?.type === "stepStarted");
      assert.deepEqual([started.resumed, started.awaiting, started.updateId], [true, last.to, otherId]);
      assert.equal(
        progressLines()(started),
        `resuming ${first.id}: awaiting update ${otherId} to ${last.to}, already running in EKS`,
      );
    } finally {
      await h.stop();
    }
  });
});
