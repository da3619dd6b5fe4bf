import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Emulator, startEmulator } from "../../emulator/src/index";
import { runCli } from "../support/cli";
import { deployment, kubectl, kubernetesSeed, requireKubernetes } from "../support/kubernetes";

/*
 * The workload health gate on a real API server, through the built CLI: after node group `blue`
 * rolls, its new nodes' pods crash-loop (the emulator's crashLoop fault: what a kubelet reports
 * of containers that keep failing). The gate names the Deployment and its pods, pauses the
 * cluster (a tag: every run on any machine sees it) and stops before node group `green`. With the
 * fault fixed, `eks-upgrade resume` and a re-run finish the upgrade with nothing issued twice.
 */
const toolchain = requireKubernetes();
const NS = "shop";

const cli = (...args: string[]) => runCli(args);

const nodegroup = (name: string) => ({
  name,
  version: "1.34",
  releaseVersion: "1.34.9-20260714",
  desiredSize: 2,
  maxUnavailable: 1,
});
/** web runs on blue's nodes only (a nodeSelector), so the roll moves all of it onto the new nodes. */
const web = deployment(NS, "web", 3, { nodeSelector: { "eks.amazonaws.com/nodegroup": "blue" } });
const seed = kubernetesSeed([web, deployment(NS, "api", 2)], {
  cluster: { nodegroups: [nodegroup("blue"), nodegroup("green")] },
});

describe(
  "the workload health gate after each step, on a real API server",
  { skip: "skip" in toolchain ? toolchain.skip : false },
  () => {
    let emulator: Emulator;
    const cluster = () => ["--cluster", "prod", "--region", "us-east-1", "--endpoint", emulator.url];
    const apply = (...more: string[]) =>
      cli("apply", ...cluster(), "--cluster-version", "1.35", "--canary", "blue", "--yes", ...more);
    const updates = () =>
      emulator
        .audit()
        .filter((e) => e.mutating && e.status < 300)
        .map((e) => `${e.operation}${e.nodegroup ? ` ${e.nodegroup}` : ""}`);
    before(async () => {
      if ("skip" in toolchain) return;
      emulator = await startEmulator({ seed });
    });
    after(async () => {
      await emulator?.stop();
    });

    it("pods crash-looping after a node group's roll: the cluster is paused, the Deployment and its pods named, the next node group not started (exit 1)", async () => {
      emulator.injectFault({ kind: "crashLoop", cluster: "prod", nodegroup: "blue" });
      const { code, stdout, stderr } = await apply("--format", "json");
      assert.equal(code, 1, stderr);
      const text = stderr.replace(/\n {6}/g, " ");
      // While it waits, then the verdict, then the error with what to do.
      assert.match(
        text,
        /nodegroup:blue:1\.35: waiting for the workloads: Deployment shop\/web: 0 of 3 ready; failing: shop\/web-[a-z0-9]+-[a-z0-9]+ CrashLoopBackOff/,
      );
      assert.match(text, /\nstopping before the next step: the health gate paused cluster prod\n/);
      const error = /\neks-upgrade: (EKSUP206 the workloads did not come back[^]*)$/.exec(text)?.[1] ?? "";
      assert.match(
        error,
        /^EKSUP206 the workloads did not come back within 10 minutes after step nodegroup:blue:1\.35 \(--health-gate pause\|warn\|off\):\n- Deployment shop\/web: 0 of 3 ready; failing: (shop\/web-[a-z0-9]+-[a-z0-9]+ CrashLoopBackOff(, )?){3}\n/,
      );
      assert.doesNotMatch(error, /shop\/api/, "api runs on green and blue; what moved is healthy");
      assert.match(
        error,
        /Cluster prod is paused by arn:aws:[^ ]+ at [0-9T:-]+Z: workloads down after nodegroup:blue:1\.35: Deployment shop\/web 0 of 3 ready: no run starts a step until it is resumed\. 1 of 2 steps done; not started: nodegroup:green:1\.35\./,
      );
      const flags = `--cluster prod --region us-east-1 --endpoint ${emulator.url}`;
      assert.ok(
        error.includes(
          `To look: eks-upgrade kubeconfig ${flags} > prod.kubeconfig; then kubectl --kubeconfig prod.kubeconfig get pods -A | grep -v Running; kubectl --kubeconfig prod.kubeconfig describe deployment -n shop web; kubectl --kubeconfig prod.kubeconfig logs -n shop web-`,
        ),
        error,
      );
      assert.ok(
        error.includes(
          `To go on: fix the workloads, then eks-upgrade resume ${flags} and run again (finished steps are not repeated).`,
        ),
        error,
      );

      // The JSON result says the same for CI.
      const result = JSON.parse(stdout) as {
        outcome: string;
        steps: { id: string; status: string; health?: unknown }[];
        unhealthy: {
          step: string;
          workloads: { workload: string; ready: number; wanted: number; failing: string[] }[];
        };
      };
      assert.equal(result.outcome, "unhealthy");
      assert.deepEqual(
        result.steps.map((s) => [s.id, s.status]),
        [
          ["nodegroup:blue:1.35", "updated"],
          ["nodegroup:green:1.35", "not started"],
        ],
      );
      assert.equal(result.unhealthy.step, "nodegroup:blue:1.35");
      assert.deepEqual(
        result.unhealthy.workloads.map((w) => [w.workload, w.ready, w.wanted, w.failing.length]),
        [["Deployment shop/web", 0, 3, 3]],
      );
      // The pause is EKS's: tags on the cluster, set after blue's update and before anything else.
      const tags = emulator.state().clusters[0]?.tags ?? {};
      assert.equal(
        tags["eks-upgrade:paused"],
        "workloads down after nodegroup:blue:1.35: Deployment shop/web 0 of 3 ready",
      );
      assert.deepEqual(updates(), ["UpdateNodegroupVersion blue", "TagResource"]);
    });

    it("a run while paused is refused before any call, naming the pause (exit 2)", async () => {
      const { code, stdout, stderr } = await apply();
      assert.equal(code, 2, stderr);
      assert.match(
        (stdout + stderr).replace(/\n {6}/g, " "),
        /EKSUP033 --cluster: cluster prod is paused by .*: workloads down after nodegroup:blue:1\.35: Deployment shop\/web 0 of 3 ready\n/,
      );
      assert.deepEqual(updates(), ["UpdateNodegroupVersion blue", "TagResource"]);
    });

    it("with the fault fixed, resume and a re-run finish the upgrade: each node group updated once", async () => {
      emulator.clearFaults();
      // The crash-looping pods are started again by their controller, healthy.
      const kubeconfig = (await emulator.kubeconfig("prod")) as string;
      const bin = (toolchain as { binDir: string }).binDir;
      await kubectl(bin, kubeconfig, ["rollout", "status", "-n", NS, "deployment/web", "--timeout=60s"]);
      const resume = await cli("resume", ...cluster());
      assert.equal(resume.code, 0, resume.stderr);
      const { code, stdout, stderr } = await apply();
      assert.equal(code, 0, stdout + stderr);
      assert.match(stdout + stderr, /nodegroup:green:1\.35: the workloads are back/);
      assert.deepEqual(updates(), [
        "UpdateNodegroupVersion blue",
        "TagResource",
        "UntagResource",
        "UpdateNodegroupVersion green",
      ]);
      assert.deepEqual(
        emulator.state().clusters[0]?.nodegroups.map((n) => [n.name, n.version]),
        [
          ["blue", "1.35"],
          ["green", "1.35"],
        ],
      );
    });

    it("--health-gate warn names the same workloads and goes on: both node groups roll, exit 0", async () => {
      emulator.reset(seed);
      await emulator.settled();
      emulator.injectFault({ kind: "crashLoop", cluster: "prod", nodegroup: "blue" });
      const { code, stdout, stderr } = await apply("--health-gate", "warn");
      assert.equal(code, 0, stdout + stderr);
      assert.match(
        stdout + stderr,
        /WARNING +nodegroup:blue:1\.35: EKSUP206 the workloads did not come back: Deployment shop\/web: 0 of 3 ready; failing: shop\/web-[^;]+; going on \(upgrade\.healthGate: warn\)/,
      );
      assert.deepEqual(updates(), ["UpdateNodegroupVersion blue", "UpdateNodegroupVersion green"]);
      assert.deepEqual(emulator.state().clusters[0]?.tags, {}, "nothing paused");
    });
  },
);
