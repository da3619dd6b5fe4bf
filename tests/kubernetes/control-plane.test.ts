import assert from "node:assert/strict";
import { request } from "node:https";
import { after, before, describe, it } from "node:test";
import { type ControlPlane, startControlPlane } from "../../emulator/src/kubernetes/control-plane";
import {
  budget,
  deployment,
  KUBERNETES_VERSION,
  kubectl,
  kubectlMayFail,
  requireKubernetes,
} from "../support/kubernetes";

/*
 * The Kubernetes toolchain (npm run kubernetes:install) runs a real control plane on loopback:
 * the version EKS offers, Nodes and Pods played by kwok, and evictions decided by the real
 * disruption controller from PodDisruptionBudgets. Started once for the file, a namespace per test.
 */
const toolchain = requireKubernetes();

describe(
  "a real Kubernetes control plane on loopback",
  { skip: "skip" in toolchain ? toolchain.skip : false },
  () => {
    let cp: ControlPlane;
    const k = (args: string[], input?: string) =>
      kubectl((toolchain as { binDir: string }).binDir, cp.kubeconfig, args, input);
    const json = async <T>(args: string[]): Promise<T> => {
      const r = await k([...args, "-o", "json"]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as T;
    };
    /** Polls until `check` holds (bounded: the control plane acts within seconds). */
    const eventually = async (what: string, check: () => Promise<boolean>) => {
      for (let i = 0; i < 150; i++) {
        if (await check()) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.fail(`${what} did not happen within 30 s`);
    };

    /** A POST to the API server with the admin token, verified against its own certificate. */
    const post = (path: string, body: unknown) =>
      new Promise<{ status: number; body: unknown }>((resolve, reject) => {
        const req = request(
          `${cp.url}${path}`,
          {
            method: "POST",
            ca: cp.caPem,
            headers: { authorization: `Bearer ${cp.token}`, "content-type": "application/json" },
          },
          (res) => {
            let text = "";
            res.on("data", (c: Buffer) => (text += c.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify(body));
      });

    before(async () => {
      if ("skip" in toolchain) return;
      cp = await startControlPlane({ binDir: toolchain.binDir });
    });
    after(async () => {
      await cp?.stop();
      // Stopped by PID, etcd last: none of them is left.
      for (const pid of cp?.pids() ?? []) assert.throws(() => process.kill(pid, 0), { code: "ESRCH" });
    });

    it(`serves Kubernetes v${KUBERNETES_VERSION} on 127.0.0.1, and kubectl is the same version`, async () => {
      assert.match(cp.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const v = await json<{ clientVersion: { gitVersion: string }; serverVersion: { gitVersion: string } }>([
        "version",
      ]);
      assert.equal(v.serverVersion.gitVersion, `v${KUBERNETES_VERSION}`);
      assert.equal(v.clientVersion.gitVersion, `v${KUBERNETES_VERSION}`);
      assert.match(cp.caPem, /^-----BEGIN CERTIFICATE-----/);
    });

    it("a PodDisruptionBudget that allows no disruption refuses the eviction (429, naming it); one that allows it lets the pod go", async () => {
      const ns = "eviction";
      assert.equal((await k(["create", "namespace", ns])).code, 0);
      const node = {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name: "ip-10-0-1-10.ec2.internal",
          annotations: { "kwok.x-k8s.io/node": "fake" },
          labels: { "eks.amazonaws.com/nodegroup": "general", "kubernetes.io/hostname": "ip-10-0-1-10" },
        },
        spec: {},
        status: {
          allocatable: { cpu: "4", memory: "16Gi", pods: "110" },
          capacity: { cpu: "4", memory: "16Gi", pods: "110" },
        },
      };
      assert.equal((await k(["apply", "-f", "-"], JSON.stringify(node))).code, 0);
      await eventually("the node becomes Ready", async () => {
        const n = await json<{ status?: { conditions?: { type: string; status: string }[] } }>([
          "get",
          "node",
          node.metadata.name,
        ]);
        return n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
      });
      const web = deployment(ns, "web", 1);
      const pdb = (spec: Record<string, unknown>) => budget(ns, "web", spec);
      assert.equal((await k(["apply", "-f", "-"], JSON.stringify(web))).code, 0);
      assert.equal((await k(["apply", "-f", "-"], JSON.stringify(pdb({ minAvailable: 1 })))).code, 0);
      type Pods = {
        items: { metadata: { name: string }; spec: { nodeName?: string }; status: { phase: string } }[];
      };
      let pod = "";
      await eventually("the scheduler places the pod and it runs", async () => {
        const { items } = await json<Pods>(["get", "pods", "-n", ns, "-l", "app=web"]);
        const running = items.find(
          (p) => p.status.phase === "Running" && p.spec.nodeName === node.metadata.name,
        );
        pod = running?.metadata.name ?? "";
        return !!running;
      });
      await eventually("the disruption controller counts the pod", async () => {
        const p = await json<{ status?: { currentHealthy?: number } }>(["get", "pdb", "web", "-n", ns]);
        return p.status?.currentHealthy === 1;
      });
      const evict = (name: string) =>
        kubectlMayFail(
          (toolchain as { binDir: string }).binDir,
          cp.kubeconfig,
          ["create", "--raw", `/api/v1/namespaces/${ns}/pods/${name}/eviction`, "-f", "-"],
          JSON.stringify({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: ns } }),
        );
      const refused = await evict(pod);
      assert.notEqual(refused.code, 0);
      assert.match(
        refused.stderr,
        /TooManyRequests.*Cannot evict pod as it would violate the pod's disruption budget/,
      );
      // The API's own answer names the budget (kubectl prints only the message).
      const raw = await post(`/api/v1/namespaces/${ns}/pods/${pod}/eviction`, {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name: pod, namespace: ns },
      });
      assert.equal(raw.status, 429);
      assert.deepEqual((raw.body as { details?: { causes?: unknown[] } }).details?.causes, [
        {
          reason: "DisruptionBudget",
          message: "The disruption budget web needs 1 healthy pods and has 1 currently",
        },
      ]);

      assert.equal((await k(["apply", "-f", "-"], JSON.stringify(pdb({ maxUnavailable: 1 })))).code, 0);
      await eventually("the budget allows a disruption", async () => {
        const p = await json<{ status?: { disruptionsAllowed?: number } }>(["get", "pdb", "web", "-n", ns]);
        return p.status?.disruptionsAllowed === 1;
      });
      const allowed = await evict(pod);
      assert.equal(allowed.code, 0, allowed.stderr);
      await eventually("the ReplicaSet replaces the evicted pod and it runs", async () => {
        const { items } = await json<Pods>(["get", "pods", "-n", ns, "-l", "app=web"]);
        return items.some((p) => p.metadata.name !== pod && p.status.phase === "Running");
      });
    });
  },
);
