import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { drainFindings, selects } from "../../providers/engine/src/drain-checks";
import { drainBlockers, nodesBehind, strandedPods } from "../../providers/engine/src/kubernetes/rollout-view";
import type {
  ObservedBudget,
  ObservedKubernetes,
  ObservedNodegroup,
  ObservedPod,
  ObservedWebhook,
  Step,
} from "../../providers/engine/src/model";
import { type DesiredSpecInput, parseSpec } from "../../providers/engine/src/spec";

/*
 * The drain checks are a pure function of the observed nodes, pods and budgets: every case the
 * real control plane shows in tests/kubernetes/drain-checks.test.ts, and the ones it cannot
 * stage cheaply (MINIMAL, percentages, selectors, other node groups), here.
 */
const spec = (nodeGroups: DesiredSpecInput["nodeGroups"] = {}) =>
  parseSpec({ clusterName: "c", region: "us-east-1", clusterVersion: "1.35", nodeGroups });

const ng = (name: string, extra: Partial<ObservedNodegroup> = {}): ObservedNodegroup => ({
  name,
  version: "1.34",
  releaseVersion: "1.34.9-20260714",
  amiType: "AL2023_x86_64_STANDARD",
  status: "ACTIVE",
  healthIssues: [],
  desiredSize: 2,
  maxUnavailable: 1,
  ...extra,
});

const step = (target: string): Step => ({
  id: `nodegroup:${target}:1.35`,
  kind: "nodegroup",
  target,
  from: "1.34",
  to: "1.35",
  reason: "",
  phase: 1,
  estimatedMinutes: 10,
  request: { kind: "nodegroup", version: "1.35", force: false },
});

const node = (name: string, nodegroup: string) => ({
  name,
  nodegroup,
  kubeletVersion: "v1.34.9-eks-1234567",
  ready: true,
  unschedulable: false,
  draining: false,
});

const pod = (name: string, nodeName: string, extra: Partial<ObservedPod> = {}): ObservedPod => ({
  namespace: "shop",
  name,
  node: nodeName,
  labels: { app: "web" },
  controller: "ReplicaSet",
  phase: "Running",
  mirror: false,
  localVolumes: [],
  createdAt: 0,
  ...extra,
});

const budget = (extra: Partial<ObservedBudget> = {}): ObservedBudget => ({
  namespace: "shop",
  name: "web",
  selector: { matchLabels: { app: "web" } },
  maxUnavailable: 1,
  disruptionsAllowed: 1,
  currentHealthy: 2,
  desiredHealthy: 1,
  expectedPods: 2,
  ...extra,
});

const cluster = (pods: ObservedPod[], budgets: ObservedBudget[]): ObservedKubernetes => ({
  nodes: [node("a1", "general"), node("a2", "general"), node("b1", "batch")],
  pods,
  budgets,
});

const codes = (r: ReturnType<typeof drainFindings>) => ({
  violations: r.violations.map((f) => f.code),
  warnings: r.warnings.map((f) => f.code),
});

describe("drain checks (pure)", () => {
  it("pods spread one per node under a budget allowing one: nothing to say", () => {
    const k = cluster([pod("web-1", "a1"), pod("web-2", "a2")], [budget()]);
    assert.deepEqual(codes(drainFindings(spec(), k, [ng("general")], [step("general")])), {
      violations: [],
      warnings: [],
    });
  });

  it("two pods of a budget allowing one on one node: a warning with DEFAULT, a violation with MINIMAL (no node for the replacements)", () => {
    const k = cluster([pod("web-1", "a1"), pod("web-2", "a1")], [budget()]);
    assert.deepEqual(codes(drainFindings(spec(), k, [ng("general")], [step("general")])), {
      violations: [],
      warnings: ["EKSUP115"],
    });
    const minimal = drainFindings(
      spec({ general: { updateStrategy: "MINIMAL" } }),
      k,
      [ng("general")],
      [step("general")],
    );
    assert.deepEqual(codes(minimal), { violations: ["EKSUP028"], warnings: [] });
    assert.equal(
      minimal.violations[0]?.message,
      "PodDisruptionBudget shop/web (maxUnavailable 1) allows 1 disruption, but one batch of node group general (1 node drained at once) holds up to 2 of its pods (shop/web-1, shop/web-2): with updateStrategy MINIMAL no new node takes their replacements before these nodes are gone, so the remaining evictions are refused until PodEvictionFailure",
    );
    assert.match(minimal.violations[0]?.remedy ?? "", /\{\{nodeGroups\.general\.updateStrategy=DEFAULT\}\}/);
  });

  it("the batch is the spec's maxUnavailable (or percentage of the desired size) when it sets one, else the node group's", () => {
    const k = cluster([pod("web-1", "a1"), pod("web-2", "a2")], [budget()]);
    const minimal = { updateStrategy: "MINIMAL" as const };
    const ask = (policy: Record<string, unknown>, observed: Partial<ObservedNodegroup> = {}) =>
      codes(
        drainFindings(
          spec({ general: { ...minimal, ...policy } }),
          k,
          [ng("general", observed)],
          [step("general")],
        ),
      ).violations;
    assert.deepEqual(ask({}), []);
    assert.deepEqual(ask({ maxUnavailable: 2 }), ["EKSUP028"]);
    assert.deepEqual(ask({ maxUnavailablePercentage: 100 }), ["EKSUP028"]);
    assert.deepEqual(ask({ maxUnavailablePercentage: 50 }), []);
    assert.deepEqual(ask({}, { maxUnavailable: 2 }), ["EKSUP028"]);
  });

  it("force makes the budget findings warnings (EKS deletes instead), but a naked pod is lost all the same", () => {
    const k = cluster(
      [pod("web-1", "a1"), pod("debug", "a2", { controller: undefined, labels: {} })],
      [
        budget({
          disruptionsAllowed: 0,
          currentHealthy: 1,
          desiredHealthy: 1,
          expectedPods: 1,
          minAvailable: 1,
          maxUnavailable: undefined,
        }),
      ],
    );
    assert.deepEqual(codes(drainFindings(spec(), k, [ng("general")], [step("general")])), {
      violations: ["EKSUP027", "EKSUP029"],
      warnings: [],
    });
    const forced = drainFindings(spec({ general: { force: true } }), k, [ng("general")], [step("general")]);
    assert.deepEqual(codes(forced), { violations: ["EKSUP029"], warnings: ["EKSUP113"] });
    assert.match(
      forced.warnings[0]?.message ?? "",
      /^EKSUP027 .*\(nodeGroups\.general\.force: EKS deletes these pods instead of evicting them, without asking the budget\)$/,
    );
    const acknowledged = drainFindings(
      spec({ general: { drainChecks: "warn" } }),
      k,
      [ng("general")],
      [step("general")],
    );
    assert.deepEqual(codes(acknowledged), { violations: [], warnings: ["EKSUP113", "EKSUP113"] });
  });

  it("DaemonSet, mirror and finished pods stay; pods of node groups that do not roll are not asked about", () => {
    const blocked = budget({ disruptionsAllowed: 0, selector: {} });
    const k = cluster(
      [
        pod("agent", "a1", { controller: "DaemonSet" }),
        pod("static", "a1", { mirror: true, controller: undefined }),
        pod("done", "a2", { phase: "Succeeded", controller: undefined }),
        pod("worker", "b1", { controller: undefined }),
      ],
      [blocked],
    );
    assert.deepEqual(codes(drainFindings(spec(), k, [ng("general"), ng("batch")], [step("general")])), {
      violations: [],
      warnings: [],
    });
    assert.deepEqual(codes(drainFindings(spec(), k, [ng("general"), ng("batch")], [step("batch")])), {
      violations: ["EKSUP026", "EKSUP029"],
      warnings: [],
    });
  });

  it("admission webhooks: Fail with no ready endpoint refuses when it covers the evicted pods (by namespace and object selector), Ignore or a ready service does not; covering kube-system warns", () => {
    const webhook = (extra: Partial<ObservedWebhook> = {}): ObservedWebhook => ({
      kind: "validating",
      configuration: "policy",
      name: "pods.policy.example.com",
      failurePolicy: "Fail",
      service: { namespace: "policy", name: "webhook" },
      readyEndpoints: 0,
      createsPods: true,
      // The kube-system exclusion the Kubernetes documentation recommends.
      namespaceSelector: {
        matchExpressions: [
          { key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kube-system"] },
        ],
      },
      objectSelector: {},
      ...extra,
    });
    const with_ = (webhooks: ObservedWebhook[], pods = [pod("web-1", "a1"), pod("web-2", "a2")]) =>
      codes(
        drainFindings(
          spec(),
          { ...cluster(pods, [budget()]), webhooks, namespaces: { shop: { team: "shop" } } },
          [ng("general")],
          [step("general")],
        ),
      );
    assert.deepEqual(with_([webhook()]), { violations: ["EKSUP037"], warnings: [] });
    for (const harmless of [
      webhook({ failurePolicy: "Ignore" }),
      webhook({ readyEndpoints: 2 }),
      webhook({ createsPods: false }),
      webhook({ namespaceSelector: { matchLabels: { team: "payments" } } }),
      webhook({ objectSelector: { matchLabels: { app: "other" } } }),
      // A URL webhook (outside the cluster): its reachability is not the cluster's to tell.
      webhook({ service: undefined }),
    ])
      assert.deepEqual(with_([harmless]), { violations: [], warnings: [] }, JSON.stringify(harmless));
    // No selector covers kube-system: when the roll evicts the webhook's own pods, a warning.
    const everywhere = webhook({ namespaceSelector: {}, readyEndpoints: 1 });
    assert.deepEqual(with_([everywhere]), { violations: [], warnings: [] }, "its pods are elsewhere");
    assert.deepEqual(
      with_([everywhere], [pod("web-1", "a1"), pod("webhook-1", "a2", { namespace: "policy" })]),
      {
        violations: [],
        warnings: ["EKSUP116"],
      },
    );
  });

  it("gitRepo volumes: refused on a node group whose target is 1.36 or later (EKSUP038, DaemonSet pods too), not before; drainChecks warn acknowledges", () => {
    const git = { gitRepoVolumes: ["src"] };
    const k = cluster(
      [
        pod("web-1", "a1", git),
        pod("agent-x", "a2", { ...git, controller: "DaemonSet" }),
        pod("api-1", "b1", git),
      ],
      [budget()],
    );
    const to = (minor: string): Step => ({
      ...step("general"),
      to: `${minor} 1.36.4-20260923`,
      id: `nodegroup:general:${minor}`,
    });
    assert.deepEqual(codes(drainFindings(spec(), k, [ng("general")], [to("1.35")])), {
      violations: [],
      warnings: [],
    });
    const refused = drainFindings(spec(), k, [ng("general")], [to("1.35"), to("1.36")]);
    assert.deepEqual(
      refused.violations.map((f) => [f.code, f.field, f.message]),
      [
        [
          "EKSUP038",
          "nodeGroups.general.drainChecks",
          "shop/web-1 (src), shop/agent-x (src) on node group general mount gitRepo volumes; at 1.36 the in-tree gitRepo volume plugin (disabled by default since 1.33, locked off in 1.36) is gone: recreated on the new nodes, they cannot start",
        ],
      ],
      "only the node group that moves, and its pods",
    );
    assert.deepEqual(
      codes(drainFindings(spec({ general: { drainChecks: "warn" } }), k, [ng("general")], [to("1.36")])),
      {
        violations: [],
        warnings: ["EKSUP113"],
      },
    );
  });

  it("a custom AMI's image: cgroup v1 refused from 1.35 (EKSUP039), containerd 1.x from 1.36 (EKSUP040), naming the nodes; EKS's own AMIs and other node groups are not judged; drainChecks warn acknowledges", () => {
    const lt = (minor: string): Step => ({
      ...step("custom"),
      id: "nodegroup:custom:lt8",
      from: "launch template base v7",
      to: "launch template base v8",
      request: { kind: "nodegroup", launchTemplate: { name: "base", version: "8" }, force: false },
      reason: minor,
    });
    const image = { osImage: "Ubuntu 20.04.6 LTS", containerRuntime: "containerd://1.7.27" };
    const k: ObservedKubernetes = {
      nodes: [
        { ...node("c1", "custom"), ...image },
        { ...node("c2", "custom"), osImage: "Ubuntu 22.04.5 LTS", containerRuntime: "containerd://2.0.5" },
        { ...node("a1", "general"), ...image },
      ],
      pods: [],
      budgets: [],
    };
    const custom = ng("custom", { amiType: "CUSTOM", launchTemplate: { name: "base", version: "7" } });
    const at = (minor: string, nodeGroups: DesiredSpecInput["nodeGroups"] = {}) =>
      drainFindings(
        parseSpec({ clusterName: "c", region: "us-east-1", clusterVersion: minor, nodeGroups }),
        k,
        [custom, ng("general")],
        [lt(minor), step("general")],
      );
    assert.deepEqual(codes(at("1.34")), { violations: [], warnings: [] });
    assert.deepEqual(
      at("1.35").violations.map((f) => [f.code, f.field, f.message]),
      [
        [
          "EKSUP039",
          "nodeGroups.custom.drainChecks",
          "the custom AMI of node group custom runs what 1.35 removes, a kubelet on cgroup v1 (it refuses to start unless failCgroupV1: false is set), on c1 (Ubuntu 20.04.6 LTS: cgroup v1): if the AMI of launch template base v8 is built the same way, its kubelets cannot start",
        ],
      ],
    );
    assert.deepEqual(codes(at("1.36")), { violations: ["EKSUP039", "EKSUP040"], warnings: [] });
    assert.match(at("1.36").violations[1]?.message ?? "", /on c1 \(containerd:\/\/1\.7\.27\)/);
    assert.deepEqual(codes(at("1.36", { custom: { drainChecks: "warn" } })), {
      violations: [],
      warnings: ["EKSUP113", "EKSUP113"],
    });
  });

  it("label selectors as Kubernetes reads them", () => {
    const labels = { app: "web", tier: "front" };
    assert.equal(selects({}, labels), true);
    assert.equal(selects({ matchLabels: { app: "web" } }, labels), true);
    assert.equal(selects({ matchLabels: { app: "api" } }, labels), false);
    assert.equal(
      selects({ matchExpressions: [{ key: "tier", operator: "In", values: ["front", "back"] }] }, labels),
      true,
    );
    assert.equal(
      selects({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, labels),
      false,
    );
    assert.equal(
      selects({ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, labels),
      true,
    );
    assert.equal(selects({ matchExpressions: [{ key: "app", operator: "Exists" }] }, labels), true);
    assert.equal(selects({ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, labels), false);
  });

  it("property: acknowledged node groups never refuse; every finding names a node group that rolls and pods on its nodes", () => {
    const podArb = fc.record({
      node: fc.constantFrom("a1", "a2", "b1"),
      app: fc.constantFrom("web", "api"),
      controller: fc.constantFrom("ReplicaSet", "StatefulSet", "DaemonSet", undefined),
      emptyDir: fc.boolean(),
    });
    const budgetArb = fc.record({
      app: fc.constantFrom("web", "api"),
      allowed: fc.integer({ min: 0, max: 2 }),
      expected: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(
        fc.array(podArb, { maxLength: 8 }),
        fc.array(budgetArb, { maxLength: 3 }),
        fc.constantFrom("general", "batch"),
        fc.constantFrom("block", "warn"),
        fc.boolean(),
        (ps, bs, rolled, drainChecks, minimal) => {
          const pods = ps.map((p, i) =>
            pod(`p${i}`, p.node, {
              labels: { app: p.app },
              controller: p.controller,
              localVolumes: p.emptyDir ? ["scratch"] : [],
            }),
          );
          const budgets = bs.map((b, i) =>
            budget({
              name: `b${i}`,
              selector: { matchLabels: { app: b.app } },
              disruptionsAllowed: b.allowed,
              expectedPods: b.expected,
            }),
          );
          const s = spec({
            [rolled]: { drainChecks, ...(minimal ? { updateStrategy: "MINIMAL" as const } : {}) },
          });
          const r = drainFindings(s, cluster(pods, budgets), [ng("general"), ng("batch")], [step(rolled)]);
          if (drainChecks === "warn") assert.deepEqual(r.violations, []);
          const onOthers = pods
            .filter((p) => (rolled === "general") !== (p.node !== "b1"))
            .map((p) => `shop/${p.name}`);
          for (const f of [...r.violations, ...r.warnings]) {
            assert.equal(f.field, `nodeGroups.${rolled}.drainChecks`);
            for (const other of onOthers)
              assert.ok(!new RegExp(`${other}\\b`).test(f.message), `${f.message} names ${other}`);
          }
        },
      ),
      { numRuns: Number(process.env.EKS_UPGRADE_PROPERTY_RUNS ?? 300) },
    );
  });
});

describe("the rollout as the cluster shows it (pure)", () => {
  it("while draining: the pods on tainted nodes whose budget allows nothing, with the budget's counts", () => {
    const k: ObservedKubernetes = {
      nodes: [{ ...node("a1", "general"), draining: true }, node("a2", "general")],
      pods: [pod("web-1", "a1"), pod("web-2", "a2")],
      budgets: [budget({ disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, minAvailable: 2 })],
    };
    assert.deepEqual(drainBlockers(k, "general"), [
      "shop/web-1 (PodDisruptionBudget shop/web allows no disruption: 2 healthy, 2 needed)",
    ]);
    assert.deepEqual(drainBlockers(k, "batch"), []);
  });

  it("after: nodes not Ready or at another kubelet minor, and replacement pods left Pending, are named", () => {
    const k: ObservedKubernetes = {
      nodes: [
        { ...node("a1", "general"), kubeletVersion: "v1.35.8-eks-1234567" },
        { ...node("a2", "general"), kubeletVersion: "v1.34.9-eks-1234567" },
        { ...node("a3", "general"), kubeletVersion: "v1.35.8-eks-1234567", ready: false },
      ],
      pods: [
        pod("old", "a1", { phase: "Pending", node: undefined, createdAt: 9_000 }),
        // Created in the second the update started: Kubernetes' timestamp says 10.000 s.
        pod("new", "a1", { phase: "Pending", node: undefined, createdAt: 10_000 }),
      ],
      budgets: [],
    };
    assert.deepEqual(nodesBehind(k, "general", "1.35"), [
      "a2 (Ready, kubelet v1.34.9-eks-1234567)",
      "a3 (not Ready, kubelet v1.35.8-eks-1234567)",
    ]);
    assert.deepEqual(strandedPods(k, 10_500), ["shop/new"]);
  });
});
