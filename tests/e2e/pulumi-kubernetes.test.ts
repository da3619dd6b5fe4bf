import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { type Emulator, startEmulator } from "../../emulator/src/index";
import { ADDONS_1_35 } from "../support/emulator";
import { budget, deployment, kubectl, kubernetesSeed, RBAC, requireKubernetes } from "../support/kubernetes";
import { ROOT } from "../support/provider";
import { PulumiProject, requirePulumi } from "../support/pulumi";

/*
 * The drain checks through the real `pulumi` binary: the program's ClusterUpgrade in existing
 * mode against the emulator backed by a real API server. pulumi preview fails on a budget that
 * would block the drain, naming the stack config key that acknowledges it; once acknowledged it
 * previews with the warning, and changes nothing. And the workload health gate: pods that
 * crash-loop after a node group's roll fail `pulumi up` with the cluster paused and the next node
 * group not started; fixed and resumed, the next up finishes it.
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
    const seed = kubernetesSeed(workloads, {
      cluster: { name: "shop", addons: ADDONS_1_35 },
      timeScale: 0.002,
    });
    // Cluster web: its Deployment on node group blue's nodes only, green beside it.
    const nodegroup = (name: string) => ({
      name,
      version: "1.34",
      releaseVersion: "1.34.9-20260714",
      desiredSize: 2,
    });
    const web = deployment("shop", "web", 3, { nodeSelector: { "eks.amazonaws.com/nodegroup": "blue" } });
    seed.clusters?.push({
      name: "web",
      version: "1.35",
      addons: ADDONS_1_35,
      nodegroups: [nodegroup("blue"), nodegroup("green")],
      workloads: [...RBAC, web] as never,
    });
    emulator = await startEmulator({ seed });
    project = new PulumiProject(pulumi.binDir);
    for (const cluster of ["shop", "web"]) {
      const config = [
        "config:",
        "  aws:region: us-east-1",
        "  eks-upgrade:mode: existing",
        `  eks-upgrade:clusterName: ${cluster}`,
        '  eks-upgrade:clusterVersion: "1.35"',
        `  eks-upgrade:endpoints: { eks: "${emulator.url}", ssm: "${emulator.url}" }`,
      ];
      writeFileSync(join(project.dir, `Pulumi.${cluster}.yaml`), `${config.join("\n")}\n`);
      await project.ok(["stack", "init", cluster]);
    }
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

  it("pods crash-looping after a node group's roll fail pulumi up: the Deployment named, the cluster paused, the next node group not started; fixed and resumed, the next up finishes with each update issued once", async () => {
    const since = emulator.audit().at(-1)?.seq ?? 0;
    const calls = () =>
      emulator
        .audit(since)
        .filter((e) => e.mutating && e.cluster === "web")
        .map((e) => `${e.operation}${e.nodegroup ? ` ${e.nodegroup}` : ""}`);
    await project.ok([
      "config",
      "set",
      "--path",
      "eks-upgrade:nodeGroups.blue.canary",
      "true",
      "--stack",
      "web",
    ]);
    emulator.injectFault({ kind: "crashLoop", cluster: "web", nodegroup: "blue" });

    const failed = await project.run(["up", "--yes", "--skip-preview", "--stack", "web"]);
    assert.notEqual(failed.code, 0, failed.output);
    const output = failed.output.replace(/\n {4,}/g, " ");
    assert.match(
      output,
      /nodegroup:blue:1\.35: waiting for the workloads: Deployment shop\/web: 0 of 3 ready; failing: shop\/web-/,
    );
    assert.match(
      output,
      /EKSUP206 the workloads did not come back within 10 minutes after step nodegroup:blue:1\.35 \(eks-upgrade:upgrade\.healthGate\):/,
    );
    assert.match(
      output,
      /- Deployment shop\/web: 0 of 3 ready; failing: (shop\/web-[a-z0-9]+-[a-z0-9]+ CrashLoopBackOff(, )?){3}/,
    );
    assert.match(
      output,
      /Cluster web is paused by \S+ at \S+: workloads down after nodegroup:blue:1\.35: Deployment shop\/web 0 of 3 ready/,
    );
    assert.match(output, /not started: nodegroup:green:1\.35/);
    assert.deepEqual(calls(), ["UpdateNodegroupVersion blue", "TagResource"]);
    const state = await project.upgradeState("web");
    const versions = state.versions as { nodeGroups: Record<string, { version: string }> };
    assert.deepEqual(
      [versions.nodeGroups.blue?.version, versions.nodeGroups.green?.version],
      ["1.35", "1.34"],
      "the state records the node group that moved and the one that did not",
    );

    // Fixed: the controller starts the pods again, healthy; then the pause is lifted.
    emulator.clearFaults();
    const kubeconfig = (await emulator.kubeconfig("web")) as string;
    await kubectl((kubernetes as { binDir: string }).binDir, kubeconfig, [
      "rollout",
      "status",
      "-n",
      "shop",
      "deployment/web",
      "--timeout=60s",
    ]);
    await promisify(execFile)(process.execPath, [
      join(ROOT, "dist", "cli", "index.js"),
      "resume",
      "--cluster",
      "web",
      "--endpoint",
      emulator.url,
    ]);
    const finished = await project.run(["up", "--yes", "--skip-preview", "--stack", "web"]);
    assert.equal(finished.code, 0, finished.output);
    assert.match(finished.output, /nodegroup:green:1\.35: the workloads are back/);
    assert.deepEqual(calls(), [
      "UpdateNodegroupVersion blue",
      "TagResource",
      "UntagResource",
      "UpdateNodegroupVersion green",
    ]);
  });
});
