import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DescribeClusterCommand } from "@aws-sdk/client-eks";
import { clusterAutoscalerObjects, type KubernetesObject } from "../../infra/cluster-autoscaler";
import { type Harness, startHarness, stopHarness } from "../support/emulator";
import { kubectl, kubectlMayFail, kubernetesSeed, requireKubernetes } from "../support/kubernetes";

/*
 * The controllers that follow the control plane, against the API server they go to: the objects
 * the program declares for cluster-autoscaler (infra/cluster-autoscaler.ts, what its ConfigGroup
 * applies) for the minor the control plane reached, checked by a strict server-side dry run, then
 * applied and running on the node group's nodes. The Pulumi Kubernetes provider plugin cannot be
 * had offline (README, "Controllers"), so kubectl applies them here the way the provider does:
 * server-side apply. One emulator for the file, on a cluster already at 1.36.
 */
const toolchain = requireKubernetes();

interface PodJson {
  metadata: { name: string };
  spec: { nodeName?: string; serviceAccountName?: string; containers: { image: string }[] };
  status: { phase: string };
}

describe(
  "cluster-autoscaler's objects on the cluster's real API server",
  { skip: "skip" in toolchain ? toolchain.skip : false },
  () => {
    let h: Harness;
    let kubeconfig = "";
    let reached = "";
    let objects: KubernetesObject[] = [];
    const binDir = (toolchain as { binDir: string }).binDir;
    const k = (args: string[], input?: string) => kubectl(binDir, kubeconfig, args, input);
    const list = (items: KubernetesObject[]) => JSON.stringify({ apiVersion: "v1", kind: "List", items });
    /** Server-side apply as the provider does it (its field manager), strict about unknown fields. */
    const apply = (items: KubernetesObject[], ...flags: string[]) =>
      kubectlMayFail(
        binDir,
        kubeconfig,
        [
          "apply",
          "--server-side",
          "--field-manager=pulumi-kubernetes",
          "--validate=strict",
          ...flags,
          "-f",
          "-",
        ],
        list(items),
      );
    const deploymentOf = (items: KubernetesObject[]) => {
      const d = items.find((o) => o.kind === "Deployment");
      assert.ok(d);
      return d as KubernetesObject & {
        spec: { template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> } };
      };
    };

    before(async () => {
      if ("skip" in toolchain) return;
      h = await startHarness(
        kubernetesSeed([], {
          cluster: { version: "1.36" },
          nodegroup: { version: "1.36", releaseVersion: "1.36.2-20260727" },
        }),
      );
      kubeconfig = (await h.emulator.kubeconfig("prod")) ?? "";
      const { cluster } = await h.eks.send(new DescribeClusterCommand({ name: "prod" }));
      reached = cluster?.version ?? "";
      objects = clusterAutoscalerObjects({
        clusterName: "prod",
        region: "us-east-1",
        controlPlane: reached,
        roleArn: "arn:aws:iam::123456789012:role/prod-cluster-autoscaler",
      });
    });
    after(async () => {
      if (h) await stopHarness(h);
    });

    it("the image's minor is the one the API server runs", async () => {
      const v = await k(["version", "-o", "json"]);
      assert.equal(v.code, 0, v.stderr);
      const server = (JSON.parse(v.stdout) as { serverVersion: { gitVersion: string } }).serverVersion
        .gitVersion;
      assert.equal(reached, "1.36");
      assert.ok(server.startsWith(`v${reached}.`), `${server} is not ${reached}`);
      const [container] = deploymentOf(objects).spec.template.spec.containers as { image: string }[];
      assert.equal(container?.image, `registry.k8s.io/autoscaling/cluster-autoscaler:v${reached}.0`);
    });

    it("a strict server-side dry run accepts every object and creates none", async () => {
      const r = await apply(objects, "--dry-run=server");
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split("\n"), [
        "serviceaccount/cluster-autoscaler serverside-applied (server dry run)",
        "clusterrole.rbac.authorization.k8s.io/cluster-autoscaler serverside-applied (server dry run)",
        "role.rbac.authorization.k8s.io/cluster-autoscaler serverside-applied (server dry run)",
        "clusterrolebinding.rbac.authorization.k8s.io/cluster-autoscaler serverside-applied (server dry run)",
        "rolebinding.rbac.authorization.k8s.io/cluster-autoscaler serverside-applied (server dry run)",
        "deployment.apps/cluster-autoscaler serverside-applied (server dry run)",
      ]);
      const left = await kubectlMayFail(binDir, kubeconfig, [
        "get",
        "deployment,serviceaccount,role",
        "-n",
        "kube-system",
        "cluster-autoscaler",
      ]);
      assert.notEqual(left.code, 0);
      assert.match(left.stderr, /NotFound/);
    });

    it("the dry run refuses what the API server would: an unknown field, a selector its pods do not match", async () => {
      const d = deploymentOf(objects);
      const misspelt = structuredClone(d);
      misspelt.spec.template.spec.serviceAcountName = "cluster-autoscaler";
      // kubectl's own schema check is off here (the later flag wins): the API server answers.
      const unknown = await apply([misspelt], "--dry-run=server", "--validate=false");
      assert.notEqual(unknown.code, 0);
      assert.match(unknown.stderr, /\.spec\.template\.spec\.serviceAcountName: field not declared in schema/);

      const unmatched = structuredClone(d);
      unmatched.spec.template.metadata.labels = { app: "other" };
      const invalid = await apply([unmatched], "--dry-run=server", "--validate=false");
      assert.notEqual(invalid.code, 0);
      assert.match(invalid.stderr, /`selector` does not match template `labels`/);
    });

    it("applied, it runs on the node group's nodes under its own account, with the rights it needs", async () => {
      const r = await apply(objects);
      assert.equal(r.code, 0, r.stderr);
      let pod: PodJson | undefined;
      for (let i = 0; i < 150 && !pod; i++) {
        const got = await k([
          "get",
          "pods",
          "-n",
          "kube-system",
          "-l",
          "app.kubernetes.io/name=cluster-autoscaler",
          "-o",
          "json",
        ]);
        assert.equal(got.code, 0, got.stderr);
        pod = (JSON.parse(got.stdout) as { items: PodJson[] }).items.find(
          (p) => p.status.phase === "Running",
        );
        if (!pod) await new Promise((res) => setTimeout(res, 200));
      }
      assert.ok(pod, "the cluster-autoscaler pod did not run within 30 s");
      assert.equal(pod.spec.serviceAccountName, "cluster-autoscaler");
      assert.equal(
        pod.spec.containers[0]?.image,
        `registry.k8s.io/autoscaling/cluster-autoscaler:v${reached}.0`,
      );
      const node = await k(["get", "node", pod.spec.nodeName ?? "", "-o", "jsonpath={.metadata.labels}"]);
      assert.match(node.stdout, /"eks\.amazonaws\.com\/nodegroup":"general"/);
      const sa = await k([
        "get",
        "serviceaccount",
        "-n",
        "kube-system",
        "cluster-autoscaler",
        "-o",
        "jsonpath={.metadata.annotations}",
      ]);
      assert.match(
        sa.stdout,
        /"eks\.amazonaws\.com\/role-arn":"arn:aws:iam::123456789012:role\/prod-cluster-autoscaler"/,
      );

      // What cluster-autoscaler does, as its service account: allowed; what it must not: refused.
      // kubectl auth can-i answers "yes" with exit 0 and "no" with exit 1.
      const can = (verb: string, resource: string, ...extra: string[]) =>
        kubectlMayFail(binDir, kubeconfig, [
          "auth",
          "can-i",
          verb,
          resource,
          "--as=system:serviceaccount:kube-system:cluster-autoscaler",
          ...extra,
        ]);
      for (const [verb, resource, ...extra] of [
        ["list", "nodes"],
        ["update", "nodes"],
        ["create", "pods", "--subresource=eviction", "-n", "prod"],
        ["list", "poddisruptionbudgets", "--all-namespaces"],
        ["update", "leases/cluster-autoscaler", "-n", "kube-system"],
        ["update", "configmaps/cluster-autoscaler-status", "-n", "kube-system"],
      ] as [string, string, ...string[]][]) {
        const answer = await can(verb, resource, ...extra);
        assert.deepEqual(
          [answer.code, answer.stdout.trim()],
          [0, "yes"],
          `${verb} ${resource} ${extra.join(" ")}`,
        );
      }
      for (const [verb, resource, ...extra] of [
        ["delete", "pods", "-n", "prod"],
        ["get", "secrets", "-n", "kube-system"],
        ["update", "configmaps/aws-auth", "-n", "kube-system"],
      ] as [string, string, ...string[]][]) {
        const answer = await can(verb, resource, ...extra);
        assert.deepEqual(
          [answer.code, answer.stdout.trim()],
          [1, "no"],
          `${verb} ${resource} ${extra.join(" ")}`,
        );
      }
    });
  },
);
