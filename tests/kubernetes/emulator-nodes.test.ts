import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { promisify } from "node:util";
import { DescribeClusterCommand, UpdateNodegroupVersionCommand } from "@aws-sdk/client-eks";
import { eksToken } from "../../providers/engine/src/eks-token";
import { type Harness, startHarness, stopHarness, waitForUpdate } from "../support/emulator";
import { requireAwsCli } from "../support/aws-cli";
import { budget, deployment, kubectl, kubernetesSeed, requireKubernetes } from "../support/kubernetes";

/*
 * The emulator backed by a real control plane (seed `kubernetes: true`): DescribeCluster gives the
 * API server's endpoint and CA, node groups are Node objects with EKS's labels and kubelet, the
 * API server takes EKS tokens through the emulator's webhook, and UpdateNodegroupVersion drains
 * through the Eviction API, so a PodDisruptionBudget decides. One emulator (one control plane per
 * cluster name) for the file, a namespace per test.
 */
const toolchain = requireKubernetes();
const exec = promisify(execFile);
const LOCAL = { accessKeyId: "local-emulator", secretAccessKey: "local-emulator" };

interface NodeJson {
  metadata: { name: string; labels: Record<string, string> };
  spec: { taints?: { key: string; value: string; effect: string }[]; unschedulable?: boolean };
  status: { nodeInfo: { kubeletVersion: string }; conditions?: { type: string; status: string }[] };
}
interface PodJson {
  metadata: { name: string; namespace: string; uid: string };
  spec: { nodeName?: string };
  status: { phase: string };
}

const web = (ns: string, replicas: number, spec: Record<string, unknown>) => [
  deployment(ns, "web", replicas),
  budget(ns, "web", spec),
];
const seed = (
  workloads: Record<string, unknown>[],
  nodegroup: NonNullable<Parameters<typeof kubernetesSeed>[1]>["nodegroup"] = {},
) => kubernetesSeed(workloads, { nodegroup });
const awsCli = requireAwsCli();

describe(
  "the emulator backed by a real Kubernetes control plane",
  { skip: "skip" in toolchain ? toolchain.skip : false },
  () => {
    let h: Harness;
    let kubeconfig = "";
    let dir = "";
    const binDir = (toolchain as { binDir: string }).binDir;
    const k = (args: string[], config = kubeconfig) => kubectl(binDir, config, args);
    const json = async <T>(args: string[]): Promise<T> => {
      const r = await k([...args, "-o", "json"]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as T;
    };
    const nodes = async () => (await json<{ items: NodeJson[] }>(["get", "nodes"])).items;
    const pods = async (ns: string) => (await json<{ items: PodJson[] }>(["get", "pods", "-n", ns])).items;
    const update = async (force = false) => {
      const { update: u } = await h.eks.send(
        new UpdateNodegroupVersionCommand({
          clusterName: "prod",
          nodegroupName: "general",
          version: "1.35",
          force,
        }),
      );
      return u?.id ?? "";
    };

    before(async () => {
      if ("skip" in toolchain) return;
      dir = mkdtempSync(join(tmpdir(), "eks-upgrade-k8s-test-"));
      h = await startHarness(seed([]));
      kubeconfig = (await h.emulator.kubeconfig("prod")) ?? "";
    });
    after(async () => {
      const pids = (await h?.emulator.kubernetesPids()) ?? [];
      // Stopped twice at once (two signals): the second resolves only when all of it has stopped.
      const first = stopHarness(h);
      await h?.emulator.stop();
      const alive = pids.filter((pid) => {
        try {
          return process.kill(pid, 0);
        } catch {
          return false;
        }
      });
      await first;
      rmSync(dir, { recursive: true, force: true });
      // One cluster, one control plane of five processes, stopped by PID: none of it is left.
      if (h) assert.equal(pids.length, 5);
      assert.deepEqual(alive, [], "no control-plane process outlives a stop()");
    });

    let n = 0;
    let ns = "";
    beforeEach(() => {
      ns = `t${++n}`;
    });

    it("DescribeCluster gives the API server's endpoint and CA; the node group's nodes are there with EKS's labels and kubelet", async () => {
      h.emulator.reset(seed(web(ns, 2, { maxUnavailable: 1 })));
      await h.emulator.settled();
      const { cluster } = await h.eks.send(new DescribeClusterCommand({ name: "prod" }));
      assert.match(cluster?.endpoint ?? "", /^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = Buffer.from(cluster?.certificateAuthority?.data ?? "", "base64").toString();
      assert.match(ca, /^-----BEGIN CERTIFICATE-----/);
      const list = await nodes();
      assert.equal(list.length, 2);
      for (const node of list) {
        assert.match(node.metadata.name, /^ip-10-0-\d+-\d+\.ec2\.internal$/);
        assert.equal(node.metadata.labels["eks.amazonaws.com/nodegroup"], "general");
        assert.equal(node.metadata.labels["eks.amazonaws.com/capacityType"], "ON_DEMAND");
        assert.match(node.metadata.labels["eks.amazonaws.com/nodegroup-image"] ?? "", /^ami-[0-9a-f]{17}$/);
        assert.match(node.status.nodeInfo.kubeletVersion, /^v1\.34\.9-eks-[0-9a-f]{7}$/);
        assert.ok(node.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
      }
      const running = (await pods(ns)).filter((p) => p.status.phase === "Running");
      assert.equal(running.length, 2);
      // Each node keeps its Lease, as a kubelet does: without it the node controller takes the
      // nodes for dead after 40 s and marks every pod on them not Ready (the health gate saw that).
      const leases = await json<{ items: { metadata: { name: string }; spec: { renewTime?: string } }[] }>([
        "get",
        "leases",
        "-n",
        "kube-node-lease",
      ]);
      assert.deepEqual(
        leases.items.map((l) => l.metadata.name).sort(),
        list.map((node) => node.metadata.name).sort(),
      );
      for (const l of leases.items) assert.ok(Date.now() - Date.parse(l.spec.renewTime ?? "") < 40_000);
    });

    it("two resets in a row: the API server ends as the second seed has it, not a mix", async () => {
      h.emulator.reset(seed(web(ns, 2, { maxUnavailable: 1 }), { desiredSize: 3 }));
      h.emulator.reset(seed([], { desiredSize: 1 }));
      await h.emulator.settled();
      assert.equal((await nodes()).length, 1);
      // The first seed's namespace is gone or on its way (a reset does not wait for what no seed reuses).
      const left = await k(["get", "namespace", ns, "-o", "jsonpath={.status.phase}", "--ignore-not-found"]);
      assert.equal(left.code, 0, left.stderr);
      assert.ok(["", "Terminating"].includes(left.stdout), `namespace ${ns}: ${left.stdout}`);
    });

    it(
      "the API server takes the tokens `aws eks get-token` and the engine make for this cluster, and refuses malformed and other clusters' tokens",
      { skip: awsCli.skip },
      async () => {
        const { cluster } = await h.eks.send(new DescribeClusterCommand({ name: "prod" }));
        const ca = join(dir, "ca.crt");
        writeFileSync(ca, Buffer.from(cluster?.certificateAuthority?.data ?? "", "base64"));
        const withToken = (token: string) =>
          exec(join(binDir, "kubectl"), [
            `--server=${cluster?.endpoint}`,
            `--certificate-authority=${ca}`,
            `--token=${token}`,
            "--kubeconfig=/dev/null",
            "get",
            "nodes",
            "-o",
            "name",
          ]).then(
            (r) => ({ code: 0, out: r.stdout }),
            (e: { stderr?: string }) => ({ code: 1, out: e.stderr ?? "" }),
          );
        const cli = await exec(
          "aws",
          ["eks", "get-token", "--cluster-name", "prod", "--region", "us-east-1"],
          {
            env: {
              ...process.env,
              AWS_ACCESS_KEY_ID: LOCAL.accessKeyId,
              AWS_SECRET_ACCESS_KEY: LOCAL.secretAccessKey,
              AWS_ENDPOINT_URL_STS: h.emulator.url,
            },
          },
        );
        const cliToken = (JSON.parse(cli.stdout) as { status: { token: string } }).status.token;
        const engineToken = await eksToken({
          clusterName: "prod",
          region: "us-east-1",
          stsEndpoint: h.emulator.url,
          credentials: LOCAL,
        });
        for (const token of [cliToken, engineToken]) {
          const ok = await withToken(token);
          assert.equal(ok.code, 0, ok.out);
          assert.match(ok.out, /^node\/ip-10-0-/m);
        }
        const otherCluster = await eksToken({
          clusterName: "staging",
          region: "us-east-1",
          stsEndpoint: h.emulator.url,
          credentials: LOCAL,
        });
        for (const token of ["k8s-aws-v1.bm90LWEtdXJs", otherCluster, `${engineToken.slice(0, -4)}AAAA`]) {
          const refused = await withToken(token);
          assert.equal(refused.code, 1);
          assert.match(refused.out, /Unauthorized/);
        }
      },
    );

    it("a budget that allows a disruption: the update rolls every node (new ones at 1.35 first, old ones tainted, drained by eviction, removed)", async () => {
      h.emulator.reset(seed(web(ns, 2, { maxUnavailable: 1 })));
      await h.emulator.settled();
      const before = new Set((await nodes()).map((x) => x.metadata.name));
      const podsBefore = new Set((await pods(ns)).map((p) => p.metadata.uid));
      const id = await update();
      let sawTaint = false;
      const watch = setInterval(() => {
        void nodes().then((list) => {
          sawTaint ||= list.some((x) =>
            x.spec.taints?.some(
              (t) => t.key === "eks.amazonaws.com/nodegroup" && t.value === "unschedulable",
            ),
          );
        });
      }, 50);
      const u = await waitForUpdate(h, { name: "prod", updateId: id, nodegroupName: "general" }, 60_000);
      clearInterval(watch);
      assert.equal(u?.status, "Successful", JSON.stringify(u?.errors));
      assert.ok(sawTaint, "old nodes were tainted eks.amazonaws.com/nodegroup=unschedulable:NoSchedule");
      const list = await nodes();
      assert.equal(list.length, 2);
      for (const node of list) {
        assert.ok(!before.has(node.metadata.name), `${node.metadata.name} is a new node`);
        assert.match(node.status.nodeInfo.kubeletVersion, /^v1\.35\.8-eks-/);
      }
      const after = await pods(ns);
      assert.equal(after.filter((p) => p.status.phase === "Running").length, 2);
      assert.ok(
        after.every((p) => !podsBefore.has(p.metadata.uid)),
        "every pod was evicted and replaced",
      );
    });

    it("a budget that allows no disruption: the drain is refused through the Eviction API until PodEvictionFailure names the node; no pod is deleted", async () => {
      h.emulator.reset(seed(web(ns, 1, { minAvailable: 1 }), { desiredSize: 1 }));
      await h.emulator.settled();
      const [pod] = await pods(ns);
      const oldNode = pod?.spec.nodeName ?? "";
      const id = await update();
      const u = await waitForUpdate(h, { name: "prod", updateId: id, nodegroupName: "general" }, 60_000);
      assert.equal(u?.status, "Failed");
      assert.deepEqual(u?.errors, [
        {
          errorCode: "PodEvictionFailure",
          errorMessage: "Reached max retries while trying to evict pods from nodes in node group general",
          resourceIds: [oldNode],
        },
      ]);
      const still = await pods(ns);
      assert.deepEqual(
        still.map((p) => [p.metadata.uid, p.spec.nodeName, p.status.phase]),
        [[pod?.metadata.uid, oldNode, "Running"]],
      );
      // The old node stays (tainted, not cordoned: EKS cordons only once a node is empty).
      const old = (await nodes()).find((x) => x.metadata.name === oldNode);
      assert.ok(old?.spec.taints?.some((t) => t.key === "eks.amazonaws.com/nodegroup"));
      assert.notEqual(old?.spec.unschedulable, true);

      // Forced, the same update deletes the pod instead, and reuses the node already at 1.35.
      const atTarget = (await nodes())
        .filter((x) => x.status.nodeInfo.kubeletVersion.startsWith("v1.35."))
        .map((x) => x.metadata.name);
      assert.equal(atTarget.length, 1);
      const forced = await update(true);
      const f = await waitForUpdate(h, { name: "prod", updateId: forced, nodegroupName: "general" }, 60_000);
      assert.equal(f?.status, "Successful", JSON.stringify(f?.errors));
      assert.deepEqual(
        (await nodes()).map((x) => x.metadata.name),
        atTarget,
      );
    });
  },
);
