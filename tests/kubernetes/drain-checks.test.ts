import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import catalogData from "../../emulator/data/eks-catalog.json";
import { amiId } from "../../emulator/src/catalog";
import { type Emulator, type SeedInput, startEmulator } from "../../emulator/src/index";
import {
  type Clients,
  createClients,
  type DesiredSpecInput,
  destroyClients,
  execute,
  inspect,
  PlanRefusedError,
  type ProgressEvent,
  parseSpec,
  UpgradeError,
} from "../../providers/engine/src/index";
import { DUMMY_CREDENTIALS } from "../support/emulator";
import { budget, deployment, kubectl, kubernetesSeed, requireKubernetes } from "../support/kubernetes";

/** AL2023's releases for 1.35 as published (the catalog's data), oldest first. */
const AL2023_1_35 = (catalogData as { amiReleases: { AL2023: Record<string, string[]> } }).amiReleases.AL2023[
  "1.35"
] as string[];

/*
 * The engine sees the cluster: before any call, the pods each rolled node group's drain would
 * evict and the budgets guarding them (a refusal names namespace/pod and budget); during the
 * update, the pods whose evictions are refused; after it, the nodes at the target kubelet.
 * Against the emulator backed by a real control plane: the Eviction API and the disruption
 * controller decide, nothing is injected. One emulator for the file, a namespace per test.
 */
const toolchain = requireKubernetes();
const TIME_SCALE = 0.001;

const web = (ns: string, replicas: number, podSpec: Record<string, unknown> = {}) =>
  deployment(ns, "web", replicas, podSpec);
const webBudget = (ns: string, spec: Record<string, unknown>) => budget(ns, "web", spec);
const seed = (workloads: Record<string, unknown>[], desiredSize = 2) =>
  kubernetesSeed(workloads, { nodegroup: { desiredSize }, timeScale: TIME_SCALE });

describe(
  "drain checks against a real Kubernetes API: before, during and after a node group's update",
  { skip: "skip" in toolchain ? toolchain.skip : false },
  () => {
    let emulator: Emulator;
    let clients: Clients;
    let ns = "";
    let n = 0;
    const spec = (overrides: Partial<DesiredSpecInput> = {}) =>
      parseSpec({
        clusterName: "prod",
        region: emulator.region,
        endpoints: { eks: emulator.url, ssm: emulator.url },
        clusterVersion: "1.35",
        upgrade: { polling: { minSeconds: 5, maxSeconds: 30 } },
        ...overrides,
      });
    const mutating = () => emulator.audit().filter((e) => e.mutating);
    const podNames = async () => {
      const config = (await emulator.kubeconfig("prod")) ?? "";
      const r = await kubectl((toolchain as { binDir: string }).binDir, config, [
        "get",
        "pods",
        "-n",
        ns,
        "-o",
        "jsonpath={.items[*].metadata.name}",
      ]);
      assert.equal(r.code, 0, `kubectl get pods: ${r.stderr}`);
      return r.stdout.split(" ").filter(Boolean).sort();
    };
    const reset = async (s: SeedInput) => {
      emulator.reset(s);
      await emulator.settled();
      emulator.clearAudit();
    };

    before(async () => {
      if ("skip" in toolchain) return;
      emulator = await startEmulator({ seed: seed([]) });
      // As the CLI does against the emulator: the local credentials, which the token webhook knows.
      clients = createClients({
        region: emulator.region,
        endpoints: { eks: emulator.url, ssm: emulator.url },
      });
    });
    after(async () => {
      if (clients) destroyClients(clients);
      await emulator?.stop();
    });
    beforeEach(() => {
      ns = `d${++n}`;
    });

    it("a single-replica workload under minAvailable 1 is refused before any call, naming the pod, the budget and the keys that go on", async () => {
      await reset(seed([web(ns, 1), webBudget(ns, { minAvailable: 1 })]));
      const [pod] = await podNames();
      const { plan } = await inspect(clients, spec());
      assert.deepEqual(plan.steps, []);
      assert.deepEqual(
        plan.violations.map((v) => [v.code, v.field]),
        [["EKSUP027", "nodeGroups.general.drainChecks"]],
      );
      assert.equal(
        plan.violations[0]?.message,
        `${ns}/${pod} on node group general is the only pod PodDisruptionBudget ${ns}/web (minAvailable 1) selects: it can never be evicted; EKS's evictions would be refused and, after 15 minutes of retries, the node group update would fail with PodEvictionFailure`,
      );
      assert.match(plan.violations[0]?.remedy ?? "", /\{\{nodeGroups\.general\.force\}\}/);
      await assert.rejects(execute(clients, spec(), plan), PlanRefusedError);
      assert.deepEqual(mutating(), []);
    });

    it("a budget at its minimum blocks by default (EKSUP026, no call); acknowledged, the update runs and ends in PodEvictionFailure from the real Eviction API, the blocking pod and budget named while it runs", async () => {
      await reset(seed([web(ns, 2), webBudget(ns, { minAvailable: 2 })]));
      const pods = await podNames();
      assert.equal(pods.length, 2);
      const byDefault = await inspect(clients, spec());
      assert.deepEqual(
        byDefault.plan.violations.map((v) => [v.code, v.field]),
        [["EKSUP026", "nodeGroups.general.drainChecks"]],
      );
      assert.deepEqual(byDefault.plan.steps, []);
      await assert.rejects(execute(clients, spec(), byDefault.plan), PlanRefusedError);
      assert.deepEqual(mutating(), []);
      const acknowledged = spec({ nodeGroups: { general: { drainChecks: "warn" } } });
      const { plan } = await inspect(clients, acknowledged);
      assert.deepEqual(plan.violations, []);
      assert.deepEqual(
        plan.warnings.map((w) => [w.code, w.field]),
        [["EKSUP113", "nodeGroups.general.drainChecks"]],
      );
      assert.match(
        plan.warnings[0]?.message ?? "",
        new RegExp(
          `^EKSUP026 PodDisruptionBudget ${ns}/web \\(minAvailable 2\\) allows no disruption now \\(2 healthy, 2 needed\\): evicting ${pods.map((p) => `${ns}/${p}`).join(", ")} from node group general is refused; .* \\(acknowledged by nodeGroups\\.general\\.drainChecks "warn"\\)$`,
        ),
      );
      const events: ProgressEvent[] = [];
      const err = await execute(clients, acknowledged, plan, {
        timeScale: TIME_SCALE,
        onEvent: (e) => events.push(e),
      }).then(
        () => assert.fail("the update should fail"),
        (e: unknown) => e as UpgradeError,
      );
      assert.ok(err instanceof UpgradeError);
      assert.equal(err.failures[0]?.code, "PodEvictionFailure");
      assert.equal(
        err.failures[0]?.message,
        "Reached max retries while trying to evict pods from nodes in node group general",
      );
      // The final error names the blocking pods and budget, as the progress did.
      assert.match(
        err.message,
        new RegExp(
          `Evictions refused at the end: ${ns}/web-[a-z0-9-]+ \\(PodDisruptionBudget ${ns}/web allows no disruption: 2 healthy, 2 needed\\)`,
        ),
      );
      const blocked = events.filter((e) => e.type === "stepBlocked");
      assert.ok(blocked.length >= 1, "the progress named the blockers while the update ran");
      const first = blocked[0] as Extract<ProgressEvent, { type: "stepBlocked" }>;
      assert.match(
        first.blockers.join("; "),
        new RegExp(
          `^${ns}/web-[a-z0-9-]+ \\(PodDisruptionBudget ${ns}/web allows no disruption: 2 healthy, 2 needed\\)`,
        ),
      );
      assert.deepEqual(await podNames(), pods, "no pod was deleted or evicted");
      assert.deepEqual(
        mutating().map((e) => [e.operation, e.nodegroup]),
        [["UpdateNodegroupVersion", "general"]],
      );
    });

    it("a budget that allows a disruption: no finding, the update rolls every node, and the post-check sees them Ready at kubelet 1.35", async () => {
      // Spread one pod per node, so that each drained node holds what the budget allows.
      const spread = {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: "kubernetes.io/hostname",
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { app: "web" } },
          },
        ],
      };
      await reset(seed([web(ns, 2, spread), webBudget(ns, { maxUnavailable: 1 })]));
      const { plan } = await inspect(clients, spec());
      assert.deepEqual(plan.violations, []);
      assert.deepEqual(plan.warnings, []);
      const result = await execute(clients, spec(), plan, { timeScale: TIME_SCALE });
      assert.deepEqual(
        result.steps.map((s) => [s.id, s.outcome]),
        [["nodegroup:general:1.35", "updated"]],
      );
      const { observed } = await inspect(clients, spec());
      assert.equal(observed.nodegroups[0]?.version, "1.35");
    });

    it("a node still on the old kubelet when EKS reports the update Successful fails the step with NODES_NOT_AT_TARGET, naming it", async () => {
      await reset(seed([], 1));
      const config = (await emulator.kubeconfig("prod")) ?? "";
      const k = (args: string[], input?: string) =>
        kubectl((toolchain as { binDir: string }).binDir, config, args, input);
      // A node of the group that already carries the target's image label, so EKS's update leaves
      // it alone and reports Successful, but whose kubelet is still 1.34: EKS's word is not enough.
      const target = AL2023_1_35.at(-1) as string;
      const name = "ip-10-0-9-99.ec2.internal";
      const stale = {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name,
          labels: {
            "eks.amazonaws.com/nodegroup": "general",
            "eks.amazonaws.com/nodegroup-image": amiId("AL2023_x86_64_STANDARD", "1.35", target),
            "kubernetes.io/hostname": name,
          },
        },
        status: { nodeInfo: { kubeletVersion: "v1.34.9-eks-0000000" } },
      };
      const created = await k(["create", "-f", "-"], JSON.stringify(stale));
      assert.equal(created.code, 0, created.stderr);
      const ready = () =>
        k(["get", "node", name, "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
      for (let i = 0; i < 100 && (await ready()).stdout !== "True"; i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.equal((await ready()).stdout, "True", "kwok keeps the node Ready");

      const { plan } = await inspect(clients, spec());
      assert.deepEqual(plan.violations, []);
      const err = await execute(clients, spec(), plan, { timeScale: TIME_SCALE }).then(
        () => assert.fail("the post-check should fail"),
        (e: unknown) => e as UpgradeError,
      );
      assert.equal(err.failures[0]?.code, "NODES_NOT_AT_TARGET");
      assert.equal(
        err.failures[0]?.message,
        `EKS reports the update Successful, but node ${name} (Ready, kubelet v1.34.9-eks-0000000) is not Ready at kubelet 1.35`,
      );
      // EKS itself is done: the update is Successful and the node group reports the new release.
      const ng = emulator.state().clusters[0]?.nodegroups[0];
      assert.deepEqual([ng?.version, ng?.releaseVersion], ["1.35", target]);
    });

    it("after the update, a replacement pod no node takes fails the step with PODS_PENDING naming it", async () => {
      await reset(seed([], 1));
      const config = (await emulator.kubeconfig("prod")) ?? "";
      const k = (args: string[], input?: string) =>
        kubectl((toolchain as { binDir: string }).binDir, config, args, input);
      const image = (
        await k([
          "get",
          "nodes",
          "-o",
          "jsonpath={.items[0].metadata.labels.eks\\.amazonaws\\.com/nodegroup-image}",
        ])
      ).stdout;
      assert.match(image, /^ami-/);
      // Pinned to the old AMI: evicted, its replacement fits no new node.
      const pinned = web(ns, 1, { nodeSelector: { "eks.amazonaws.com/nodegroup-image": image } });
      const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } };
      for (const o of [namespace, pinned, webBudget(ns, { maxUnavailable: 1 })]) {
        const applied = await k(["apply", "-f", "-"], JSON.stringify(o));
        assert.equal(applied.code, 0, applied.stderr);
      }
      // Until the pod runs and the disruption controller has counted it.
      const allowed = () => k(["get", "pdb", "web", "-n", ns, "-o", "jsonpath={.status.disruptionsAllowed}"]);
      for (let i = 0; i < 150 && (await allowed()).stdout !== "1"; i++)
        await new Promise((r) => setTimeout(r, 200));
      assert.equal((await allowed()).stdout, "1");
      const { plan } = await inspect(clients, spec());
      assert.deepEqual(plan.violations, []);
      const outcomes: string[] = [];
      const err = await execute(clients, spec(), plan, {
        timeScale: TIME_SCALE,
        onEvent: (e) => {
          if (e.type === "stepFinished" || e.type === "stepFailed") outcomes.push(`${e.type} ${e.step.id}`);
        },
      }).then(
        () => assert.fail("the post-check should fail"),
        (e: unknown) => e as UpgradeError,
      );
      assert.equal(err.failures[0]?.code, "PODS_PENDING");
      // One outcome for the step: failed, never "done" first (the post-check is part of it).
      assert.deepEqual(outcomes, [`stepFailed ${plan.steps.at(-1)?.id}`]);
      assert.match(
        err.failures[0]?.message ?? "",
        new RegExp(
          `^pods evicted from node group general did not come back: ${ns}/web-[a-z0-9-]+ is Pending with no node$`,
        ),
      );
    });

    it("pods a drain would lose are refused too: a naked pod, and emptyDir data", async () => {
      const naked = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "debug", namespace: ns },
        spec: { containers: [{ name: "sh", image: "public.ecr.aws/docker/library/busybox:1.37" }] },
      };
      await reset(
        seed([
          naked,
          web(ns, 2, { volumes: [{ name: "cache", emptyDir: {} }] }),
          webBudget(ns, { maxUnavailable: 1 }),
        ]),
      );
      const { plan } = await inspect(clients, spec());
      assert.deepEqual(
        plan.violations.map((v) => v.code),
        ["EKSUP029", "EKSUP030"],
      );
      assert.equal(
        plan.violations[0]?.message,
        `${ns}/debug on node group general has no controller: evicted, it is gone for good`,
      );
      assert.match(
        plan.violations[1]?.message ?? "",
        new RegExp(`^${ns}/web-[a-z0-9-]+ \\(cache\\), ${ns}/web-`),
      );
    });

    it("a webhook with failurePolicy Fail and no ready endpoint is named before any call (EKSUP037): the evicted pods' replacements would be refused; acknowledged, a warning", async () => {
      await reset(seed([web(ns, 2), webBudget(ns, { maxUnavailable: 1 })]));
      const pods = await podNames();
      // Added once the pods run (it would refuse them too): a guard on pod creation in this
      // namespace whose service selects no pod, so the API server can never call it.
      const config = (await emulator.kubeconfig("prod")) ?? "";
      const bin = (toolchain as { binDir: string }).binDir;
      const guard = [
        {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "guard", namespace: ns },
          spec: { selector: { app: "gone" }, ports: [{ port: 443 }] },
        },
        {
          apiVersion: "admissionregistration.k8s.io/v1",
          kind: "ValidatingWebhookConfiguration",
          metadata: { name: `${ns}-guard` },
          webhooks: [
            {
              name: "guard.example.com",
              clientConfig: { service: { namespace: ns, name: "guard", path: "/validate" } },
              rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }],
              failurePolicy: "Fail",
              sideEffects: "None",
              admissionReviewVersions: ["v1"],
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
            },
          ],
        },
      ];
      await kubectl(
        bin,
        config,
        ["apply", "-f", "-"],
        JSON.stringify({ apiVersion: "v1", kind: "List", items: guard }),
      );
      try {
        const { plan } = await inspect(clients, spec());
        assert.deepEqual(
          plan.violations.map((v) => [v.code, v.field]),
          [["EKSUP037", "nodeGroups.general.drainChecks"]],
        );
        assert.equal(
          plan.violations[0]?.message,
          `validating webhook guard.example.com (ValidatingWebhookConfiguration ${ns}-guard, failurePolicy Fail) has no ready endpoint at service ${ns}/guard: the replacements of ${pods.map((p) => `${ns}/${p}`).join(", ")}, evicted from node group general, would be refused, and the services they run stay down`,
        );
        const acknowledged = await inspect(
          clients,
          spec({ nodeGroups: { general: { drainChecks: "warn" } } }),
        );
        assert.deepEqual(acknowledged.plan.violations, []);
        assert.ok(
          acknowledged.plan.warnings.some(
            (w) =>
              w.code === "EKSUP113" && /^EKSUP037 validating webhook guard\.example\.com/.test(w.message),
          ),
        );
        assert.deepEqual(mutating(), [], "nothing was called");
      } finally {
        await kubectl(bin, config, ["delete", "validatingwebhookconfiguration", `${ns}-guard`]);
      }
    });

    it("a pod with a gitRepo volume refuses the node group's hop to 1.36 before any call (EKSUP038), naming it; 1.35 is planned", async () => {
      const git = {
        volumes: [{ name: "src", gitRepo: { repository: "https://example.com/site.git" } }],
      };
      await reset(seed([web(ns, 2, git), webBudget(ns, { maxUnavailable: 1 })]));
      const pods = await podNames();
      const { plan } = await inspect(clients, spec({ clusterVersion: "1.36" }));
      assert.deepEqual(
        plan.violations.map((v) => [v.code, v.field, v.message]),
        [
          [
            "EKSUP038",
            "nodeGroups.general.drainChecks",
            `${pods.map((p) => `${ns}/${p} (src)`).join(", ")} on node group general mount gitRepo volumes; at 1.36 the in-tree gitRepo volume plugin (disabled by default since 1.33, locked off in 1.36) is gone: recreated on the new nodes, they cannot start`,
          ],
        ],
      );
      const within = await inspect(clients, spec({ clusterVersion: "1.35" }));
      assert.deepEqual(within.plan.violations, []);
      assert.deepEqual(mutating(), [], "nothing was called");
    });

    it("a custom AMI whose nodes report containerd 1.7 refuses its launch template's hop to 1.36 before any call (EKSUP040), naming the nodes; 1.35 is planned", async () => {
      await reset(
        kubernetesSeed([], {
          timeScale: TIME_SCALE,
          nodegroup: {
            name: "custom",
            amiType: "CUSTOM",
            version: "1.35",
            releaseVersion: undefined,
            launchTemplate: { name: "base", version: "3" },
            // What the user's image reports (Node status.nodeInfo), read from the API server.
            nodeInfo: { osImage: "Ubuntu 22.04.5 LTS", containerRuntimeVersion: "containerd://1.7.27" },
          },
        }),
      );
      const nodes = (
        await kubectl((toolchain as { binDir: string }).binDir, (await emulator.kubeconfig("prod")) ?? "", [
          "get",
          "nodes",
          "-o",
          "jsonpath={.items[*].metadata.name}",
        ])
      ).stdout
        .split(" ")
        .sort();
      const next = { custom: { launchTemplateVersion: "4" } };
      const { plan } = await inspect(clients, spec({ clusterVersion: "1.36", nodeGroups: next }));
      assert.deepEqual(
        plan.violations.map((v) => [v.code, v.field, v.message]),
        [
          [
            "EKSUP040",
            "nodeGroups.custom.drainChecks",
            `the custom AMI of node group custom runs what 1.36 removes, containerd 1.x (1.35 is the last minor that supports it: containerd 2.0 or later is needed), on ${nodes.map((n) => `${n} (containerd://1.7.27)`).join(", ")}: if the AMI of launch template base v4 is built the same way, its kubelets cannot start`,
          ],
        ],
      );
      const within = await inspect(clients, spec({ clusterVersion: "1.35", nodeGroups: next }));
      assert.deepEqual(within.plan.violations, []);
      assert.deepEqual(mutating(), [], "nothing was called");
    });

    it("credentials the cluster does not accept: the checks are skipped with a warning naming the endpoint, never a failure", async () => {
      await reset(seed([web(ns, 1), webBudget(ns, { minAvailable: 1 })]));
      const strangers = createClients(
        { region: emulator.region, endpoints: { eks: emulator.url, ssm: emulator.url } },
        { credentials: DUMMY_CREDENTIALS },
      );
      try {
        const { plan } = await inspect(strangers, spec());
        assert.deepEqual(plan.violations, []);
        assert.deepEqual(
          plan.warnings.map((w) => [w.code, w.field]),
          [["EKSUP114", "upgrade.kubernetesChecks"]],
        );
        assert.match(
          plan.warnings[0]?.message ?? "",
          /^could not list nodes, pods, PodDisruptionBudgets and webhooks at https:\/\/127\.0\.0\.1:\d+ \(.*Unauthorized.*\): the kubelets' skew and the node groups' drains were not checked$/s,
        );
        const off = await inspect(strangers, spec({ upgrade: { kubernetesChecks: false } }));
        assert.deepEqual(off.plan.warnings, []);
      } finally {
        destroyClients(strangers);
      }
    });
  },
);
