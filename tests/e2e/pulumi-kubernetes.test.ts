import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Emulator, startEmulator } from "../../emulator/src/index";
import { ADDONS_1_35 } from "../support/emulator";
import { budget, deployment, kubernetesSeed, requireKubernetes } from "../support/kubernetes";
import { PulumiProject, requirePulumi } from "../support/pulumi";

/*
 * The drain checks through the real `pulumi` binary: the program's ClusterUpgrade in existing
 * mode against the emulator backed by a real API server. pulumi preview fails on a budget that
 * would block the drain, naming the stack config key that acknowledges it; once acknowledged it
 * previews with the warning, and changes nothing.
 */
const pulumi = requirePulumi();
const kubernetes = requireKubernetes();
const skip = "skip" in pulumi ? pulumi.skip : "skip" in kubernetes ? kubernetes.skip : false;

describe("drain checks in pulumi preview", { skip }, () => {
  let emulator: Emulator;
  let project: PulumiProject;

  before(async () => {
    if (skip || "skip" in pulumi) return;
    // A single-replica checkout under minAvailable 1, on a cluster with the program's default add-ons.
    const workloads = [deployment("shop", "checkout", 1), budget("shop", "checkout", { minAvailable: 1 })];
    emulator = await startEmulator({
      seed: kubernetesSeed(workloads, { cluster: { name: "shop", addons: ADDONS_1_35 }, timeScale: 0.002 }),
    });
    project = new PulumiProject(pulumi.binDir);
    const config = [
      "config:",
      "  aws:region: us-east-1",
      "  eks-upgrade:mode: existing",
      "  eks-upgrade:clusterName: shop",
      '  eks-upgrade:clusterVersion: "1.35"',
      `  eks-upgrade:endpoints: { eks: "${emulator.url}", ssm: "${emulator.url}" }`,
    ];
    writeFileSync(join(project.dir, "Pulumi.shop.yaml"), `${config.join("\n")}\n`);
    await project.ok(["stack", "init", "shop"]);
  });
  after(async () => {
    project?.dispose();
    await emulator?.stop();
  });

  it("refuses the blocked drain naming the pod, the budget and eks-upgrade:nodeGroups.general.drainChecks; acknowledged, it previews with the warning", async () => {
    const refused = await project.run(["preview", "--diff", "--stack", "shop"]);
    assert.notEqual(refused.code, 0, refused.output);
    assert.match(
      refused.output,
      /EKSUP027 eks-upgrade:nodeGroups\.general\.drainChecks: shop\/checkout-[a-z0-9-]+ on node group general is the only pod PodDisruptionBudget shop\/checkout \(minAvailable 1\) selects/,
    );
    assert.match(refused.output, /Otherwise eks-upgrade:nodeGroups\.general\.force lets EKS delete the pod/);

    await project.ok([
      "config",
      "set",
      "--path",
      "eks-upgrade:nodeGroups.general.drainChecks",
      "warn",
      "--stack",
      "shop",
    ]);
    const acknowledged = await project.run(["preview", "--diff", "--stack", "shop"]);
    assert.equal(acknowledged.code, 0, acknowledged.output);
    assert.match(acknowledged.output, /EKSUP113 eks-upgrade:nodeGroups\.general\.drainChecks: EKSUP027 /);
    assert.match(
      acknowledged.output,
      /step +: "1\. node group general \(phase 1, ~[\d.]+ min\)"\n +versions: "1\.34 [^"]+ -> 1\.35 /,
    );
    assert.deepEqual(
      emulator.audit().filter((e) => e.mutating),
      [],
    );
  });

  it("a drain the budget blocks fails pulumi up with EKS's PodEvictionFailure, the pod and budget named; the state stays true, and with force the next up finishes without repeating a step", async () => {
    const set = (key: string, value: string) =>
      project.ok(["config", "set", "--path", `eks-upgrade:${key}`, value, "--stack", "shop"]);
    await set("nodeGroups.general.drainChecks", "warn");
    const since = emulator.audit().at(-1)?.seq ?? 0;
    const mutating = () => emulator.audit(since).filter((e) => e.mutating);

    // The Eviction API refuses, the budget being what it is: no injected fault.
    const failed = await project.run(["up", "--yes", "--skip-preview", "--stack", "shop"]);
    assert.notEqual(failed.code, 0, failed.output);
    assert.match(
      failed.output,
      /step nodegroup:general:1\.35 failed: PodEvictionFailure: Reached max retries while trying to evict pods from nodes in node group general/,
    );
    assert.match(
      failed.output,
      /Evictions refused at the end: shop\/checkout-[a-z0-9-]+ \(PodDisruptionBudget shop\/checkout allows no disruption: 1 healthy, 1 needed\)/,
    );
    assert.match(failed.output, /eks-upgrade:nodeGroups\.general\.force/);
    const state = await project.upgradeState("shop");
    const versions = state.versions as { nodeGroups: Record<string, { version: string }> };
    assert.equal(
      versions.nodeGroups.general?.version,
      "1.34",
      "the state records the node group that did not move",
    );
    assert.ok(
      (state.plan as { step: string }[]).some((i) => /node group general/.test(i.step)),
      "what is left is the plan",
    );
    const first = mutating().map((e) => [
      e.operation,
      e.nodegroup,
      (e.params as { force?: boolean }).force ?? false,
    ]);
    assert.deepEqual(first, [["UpdateNodegroupVersion", "general", false]]);

    await set("nodeGroups.general.force", "true");
    const forced = await project.run(["up", "--yes", "--skip-preview", "--stack", "shop"]);
    assert.equal(forced.code, 0, forced.output);
    assert.deepEqual(
      mutating().map((e) => [e.operation, e.nodegroup, (e.params as { force?: boolean }).force ?? false]),
      [...first, ["UpdateNodegroupVersion", "general", true]],
      "only the failed step runs again, forced",
    );
    assert.equal(emulator.state().clusters[0]?.nodegroups[0]?.version, "1.35");
  });
});
