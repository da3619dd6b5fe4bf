import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Emulator, startEmulator } from "../../emulator/src/index";
import { ROOT } from "../support/provider";
import { requireAwsCli } from "../support/aws-cli";
import { budget, deployment, kubectl, kubernetesSeed, requireKubernetes } from "../support/kubernetes";
import { runCli } from "../support/cli";

/*
 * The user's way through: the built eks-upgrade binary against the emulator backed by a real
 * control plane. plan refuses a drain a budget would block, naming the pod, the budget and the
 * flags; apply with the acknowledgement runs into EKS's PodEvictionFailure and names the blocker
 * while it waits; `eks-upgrade kubeconfig` gives kubectl (authenticating with `aws eks get-token`)
 * the cluster, whose nodes are the node group's.
 */
const toolchain = requireKubernetes();
const NS = "shop";

const cli = (...args: string[]) => runCli(args);

/** A single-replica checkout under minAvailable 1: its node's drain can never succeed. */
const seed = kubernetesSeed([deployment(NS, "checkout", 1), budget(NS, "checkout", { minAvailable: 1 })]);
const awsCli = requireAwsCli();

describe(
  "the eks-upgrade CLI against a cluster with a real API server",
  { skip: "skip" in toolchain ? toolchain.skip : false },
  () => {
    let emulator: Emulator;
    let dir = "";
    const cluster = () => ["--cluster", "prod", "--region", "us-east-1", "--endpoint", emulator.url];
    const target = () => [...cluster(), "--cluster-version", "1.35"];
    before(async () => {
      if ("skip" in toolchain) return;
      emulator = await startEmulator({ seed });
      dir = mkdtempSync(join(tmpdir(), "eks-upgrade-cli-k8s-"));
    });
    after(async () => {
      await emulator?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("plan refuses the drain a budget blocks (exit 2), naming pod, budget and the flags that go on; nothing is called", async () => {
      const { code, stdout, stderr } = await cli("plan", ...target());
      assert.equal(code, 2, stderr);
      const text = (stdout + stderr).replace(/\n {6}/g, " ");
      assert.match(
        text,
        /EKSUP027 --drain-checks general=block\|warn: shop\/checkout-[a-z0-9-]+ on node group general is the only pod PodDisruptionBudget shop\/checkout \(minAvailable 1\) selects: it can never be evicted/,
      );
      assert.match(text, /--force general lets EKS delete the pod/);
      assert.deepEqual(
        emulator.audit().filter((e) => e.mutating),
        [],
      );
    });

    it("apply with --drain-checks general=warn runs into PodEvictionFailure from the Eviction API, the blocker named while it waits (exit 1)", async () => {
      const { code, stdout, stderr } = await cli(
        "apply",
        ...target(),
        "--drain-checks",
        "general=warn",
        "--yes",
      );
      assert.equal(code, 1, stdout + stderr);
      const out = stdout + stderr;
      assert.match(
        out,
        /nodegroup:general:1\.35: evictions refused: shop\/checkout-[a-z0-9-]+ \(PodDisruptionBudget shop\/checkout allows no disruption: 1 healthy, 1 needed\)/,
      );
      assert.match(
        out,
        /FAILED +nodegroup:general:1\.35: PodEvictionFailure: Reached max retries while trying to evict pods from nodes in node group general/,
      );
      // The error a CI log ends with names the blocker too, not only the progress lines.
      assert.match(
        stderr.replace(/\n\s+/g, " "),
        /step nodegroup:general:1\.35 failed: PodEvictionFailure: .* Evictions refused at the end: shop\/checkout-[a-z0-9-]+ \(PodDisruptionBudget shop\/checkout allows no disruption: 1 healthy, 1 needed\)\./,
      );
    });

    it("status shows each node group's nodes with their kubelets, the old ones still draining, and the eviction a budget refuses", async () => {
      const { code, stdout, stderr } = await cli("status", ...cluster());
      assert.equal(code, 0, stderr);
      assert.match(
        stdout,
        /\nNodes\n {2}general: [34] nodes \((\d × kubelet v1\.3[45]\.\d+-eks-[0-9a-f]{7}(, )?)+\), [12] draining\n {4}eviction refused: shop\/checkout-[a-z0-9-]+ \(PodDisruptionBudget shop\/checkout allows no disruption: 1 healthy, 1 needed\)/,
      );
      assert.match(stdout, /2 × kubelet v1\.35\.8-eks-/);
    });

    it(
      "kubeconfig: kubectl, authenticating with `aws eks get-token`, sees the node group's nodes (the new ones and the tainted old ones)",
      { skip: awsCli.skip },
      async () => {
        const { code, stdout, stderr } = await cli("kubeconfig", ...cluster());
        assert.equal(code, 0, stderr);
        const file = join(dir, "kubeconfig");
        writeFileSync(file, stdout);
        const nodes = await kubectl((toolchain as { binDir: string }).binDir, file, [
          "get",
          "nodes",
          "-L",
          "eks.amazonaws.com/nodegroup",
          "--no-headers",
        ]);
        assert.equal(nodes.code, 0, nodes.stderr);
        const rows = nodes.stdout.trim().split("\n");
        for (const row of rows)
          assert.match(
            row,
            /^ip-10-0-\d+-\d+\.ec2\.internal +Ready.* +v1\.3[45]\.\d+-eks-[0-9a-f]{7} +general$/,
          );
        // After the failed update: the two 1.35 nodes that joined, and the old node the budget holds on to.
        const held = await kubectl((toolchain as { binDir: string }).binDir, file, [
          "get",
          "pods",
          "-n",
          NS,
          "-o",
          "jsonpath={.items[0].spec.nodeName}",
        ]);
        assert.equal(held.code, 0, held.stderr);
        const old = rows.filter((r) => / v1\.34\./.test(r)).map((r) => r.split(/ +/)[0]);
        assert.ok(
          old.includes(held.stdout),
          `${held.stdout} (holding the pod) is still there: ${nodes.stdout}`,
        );
        assert.equal(rows.filter((r) => / v1\.35\./.test(r)).length, 2);
      },
    );

    it("demo --kubernetes: the demo's cluster on a real API server, its nodes at kubelet 1.33 before and 1.35 after", async () => {
      const { code, stdout, stderr } = await cli("demo", "--kubernetes", "--time-scale", "0.002");
      assert.equal(code, 0, stderr);
      const [before, after] = stdout.split("$ eks-upgrade apply");
      assert.match(
        before ?? "",
        /\nNodes\n {2}canary: 1 node \(1 × kubelet v1\.33\.5-eks-[0-9a-f]{7}\)\n {2}general: 6 nodes \(6 × kubelet v1\.33\.5-eks-/,
      );
      assert.match(
        before ?? "",
        /watch the nodes roll meanwhile: kubectl --kubeconfig \S+ get nodes --watch/,
      );
      assert.match(after ?? "", /done +nodegroup:general:1\.35/);
      assert.match(
        after ?? "",
        /\nNodes\n {2}canary: 1 node \(1 × kubelet v1\.35\.8-eks-[0-9a-f]{7}\)\n {2}general: 6 nodes \(6 × kubelet v1\.35\.8-eks-/,
      );
    });
  },
);

describe(
  "npm run emulator with the shipped Kubernetes seed (emulator/seeds/demo-kubernetes.json)",
  { skip: "skip" in toolchain ? toolchain.skip : false },
  () => {
    it(
      "kubectl get nodes works out of the box (the tool's RBAC is in the seed); its Karpenter nodes at kubelet 1.32 refuse a plan to 1.36 and allow 1.35; a closed terminal (SIGHUP to the process group) stops the control plane and removes its folder",
      { skip: awsCli.skip },
      async () => {
        const seedFile = join(ROOT, "emulator", "seeds", "demo-kubernetes.json");
        // As a person starts it: npm, its shell, tsx and the emulator in one process group.
        const npm = spawn("npm", ["run", "emulator", "--", "--seed", seedFile, "--port", "0"], {
          cwd: ROOT,
          detached: true,
          stdio: ["ignore", "pipe", "pipe"],
        });
        const group = npm.pid as number;
        const scratch = mkdtempSync(join(tmpdir(), "eks-upgrade-cli-k8s-"));
        let output = "";
        npm.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
        npm.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
        const exited = once(npm, "exit");
        // The live processes of the group, from /proc (no procps on a minimal CI machine):
        // "pid (comm) state ppid pgrp ...", read after the last ")" since comm may hold one.
        const groupPids = () =>
          readdirSync("/proc")
            .filter((e) => /^\d+$/.test(e))
            .filter((pid) => {
              try {
                const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
                const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
                return Number(pgrp) === group && state !== "Z";
              } catch {
                return false;
              }
            });
        try {
          for (let i = 0; i < 1200 && !/admin API/.test(output); i++)
            await new Promise((r) => setTimeout(r, 50));
          const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
          const folder = /API server: kubectl --kubeconfig (\S+)\/kubeconfig/.exec(output)?.[1];
          assert.ok(url && folder, output);

          const kubeconfig = await cli("kubeconfig", "--cluster", "demo", "--endpoint", url);
          assert.equal(kubeconfig.code, 0, kubeconfig.stderr);
          const file = join(scratch, "kubeconfig");
          writeFileSync(file, kubeconfig.stdout);
          const nodes = await kubectl((toolchain as { binDir: string }).binDir, file, [
            "get",
            "nodes",
            "--no-headers",
          ]);
          const seed = JSON.parse(readFileSync(seedFile, "utf8")) as {
            clusters: { nodegroups: { desiredSize: number }[]; nodes: { count: number }[] }[];
          };
          // The node groups' nodes, and the ones no node group runs (the Karpenter NodePool's).
          const [cluster] = seed.clusters;
          const expected =
            (cluster?.nodegroups.reduce((n, g) => n + g.desiredSize, 0) ?? 0) +
            (cluster?.nodes.reduce((n, p) => n + p.count, 0) ?? 0);
          const rows = nodes.stdout.trim().split("\n");
          assert.equal(rows.length, expected, nodes.stdout);
          assert.ok(
            rows.every((r) => / Ready /.test(r)),
            nodes.stdout,
          );

          // Every node counts: the seed's Karpenter NodePool runs kubelet 1.32, which a control
          // plane at 1.36 would leave 4 minors behind (the skew policy allows 3); 1.35 is fine.
          const ref = ["--cluster", "demo", "--endpoint", url];
          const beyond = await cli("plan", ...ref, "--cluster-version", "1.36");
          assert.equal(beyond.code, 2, beyond.stderr);
          assert.match(
            beyond.stdout.replace(/\n {6}/g, " "),
            /EKSUP036 --cluster-version: Karpenter NodePool default \(2 nodes: 2 × kubelet v1\.32\.\d+-eks-[0-9a-f]{7}\) would be 4 minors behind the control plane at 1\.36; the kubelet skew policy allows 3/,
          );
          assert.match(
            beyond.stdout.replace(/\n {6}/g, " "),
            /remedy: First point the NodePool's EC2NodeClass at an AMI of Kubernetes 1\.33 or newer .* Until then the plan may go as far as --cluster-version 1\.35\./,
          );
          const within = await cli("plan", ...ref, "--cluster-version", "1.35");
          assert.equal(within.code, 0, within.stdout);
          assert.doesNotMatch(within.stdout, /EKSUP036/);
          const status = await cli("status", ...ref);
          assert.match(
            status.stdout,
            /\n {2}Karpenter NodePool default: 2 nodes \(2 × kubelet v1\.32\.\d+-eks-[0-9a-f]{7}\), 1 minor behind — not moved by eks-upgrade\n/,
          );

          assert.ok(existsSync(folder) && groupPids().length > 4, "the control plane runs");
          // The terminal closed: every process of the group gets SIGHUP (npm and tsx die of it).
          process.kill(-group, "SIGHUP");
          await exited;
          for (let i = 0; i < 150 && (groupPids().length || existsSync(folder)); i++)
            await new Promise((r) => setTimeout(r, 100));
          assert.deepEqual(groupPids(), [], "no process of the group is left (etcd, kube-apiserver, …)");
          assert.equal(existsSync(folder), false, `${folder} is removed`);
        } finally {
          if (groupPids().length) process.kill(-group, "SIGKILL");
          rmSync(scratch, { recursive: true, force: true });
        }
      },
    );
  },
);
