import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { poolOf } from "../../providers/engine/src/kubernetes/access";
import { parseSpec, plan } from "../../providers/engine/src/index";
import type { ObservedNode } from "../../providers/engine/src/model";
import { bareCluster, CATALOG } from "../support/fleet-arbitrary";

/*
 * Every node counts: the kubelets outside managed node groups (Karpenter, Auto Mode, Fargate,
 * self-managed) against the skew policy at each control-plane step. Expected values come from the
 * Kubernetes version skew policy (a kubelet may be three minors older than the API server, two
 * before 1.25) and the labels AWS, Karpenter and eksctl document, not from the planner.
 */

const node = (name: string, labels: Record<string, string>, kubelet: string): ObservedNode => ({
  name,
  pool: poolOf(labels),
  nodegroup: labels["eks.amazonaws.com/nodegroup"],
  kubeletVersion: kubelet,
  ready: true,
  unschedulable: false,
  draining: false,
});

const KARPENTER = { "karpenter.sh/nodepool": "default" };

function planTo(to: string, nodes: ObservedNode[]) {
  const observed = { ...bareCluster("1.33"), kubernetes: { nodes, pods: [], budgets: [] } };
  return plan(parseSpec({ clusterName: "c", region: "us-east-1", clusterVersion: to }), observed, CATALOG);
}

describe("every node counts for the skew policy", () => {
  it("a node's pool comes from its labels: managed node group, Auto Mode before Karpenter, Fargate, Karpenter, self-managed", () => {
    const labels: Record<string, string>[] = [
      { "eks.amazonaws.com/nodegroup": "general" },
      { "eks.amazonaws.com/compute-type": "auto", "karpenter.sh/nodepool": "general-purpose" },
      { "eks.amazonaws.com/compute-type": "fargate", "eks.amazonaws.com/fargate-profile": "batch" },
      KARPENTER,
      { "alpha.eksctl.io/nodegroup-name": "legacy" },
      {},
    ];
    assert.deepEqual(
      labels.map((l) => poolOf(l)),
      [
        { kind: "nodegroup", name: "general" },
        { kind: "autoMode", name: "general-purpose" },
        { kind: "fargate", name: "batch" },
        { kind: "karpenter", name: "default" },
        { kind: "selfManaged", name: "legacy" },
        { kind: "selfManaged", name: "self-managed" },
      ],
    );
  });

  it("a Karpenter NodePool at kubelet 1.32 refuses 1.36 (four minors), naming the pool, its kubelets and what moves them; 1.35 (three) is planned", () => {
    const nodes = [
      node("ip-10-0-1-10.ec2.internal", KARPENTER, "v1.32.9-eks-1a2b3c4"),
      node("ip-10-0-1-11.ec2.internal", KARPENTER, "v1.33.5-eks-5d6e7f8"),
    ];
    const refused = planTo("1.36", nodes);
    assert.deepEqual(
      refused.violations.map((v) => [v.code, v.field, v.message, v.remedy]),
      [
        [
          "EKSUP036",
          "clusterVersion",
          "Karpenter NodePool default (2 nodes: 1 × kubelet v1.32.9-eks-1a2b3c4, 1 × kubelet v1.33.5-eks-5d6e7f8) would be 4 minors behind the control plane at 1.36; the kubelet skew policy allows 3, and this tool does not move these nodes",
          "First point the NodePool's EC2NodeClass at an AMI of Kubernetes 1.33 or newer (Karpenter's drift then replaces the nodes, within the NodePool's disruption budgets); then run again. Until then the plan may go as far as {{clusterVersion=1.35}}.",
        ],
      ],
    );
    assert.deepEqual(refused.steps, []);
    const planned = planTo("1.35", nodes);
    assert.deepEqual(planned.violations, []);
    assert.deepEqual(
      planned.steps.filter((s) => s.kind === "controlPlane").map((s) => s.to),
      ["1.34", "1.35"],
    );
  });

  it("Fargate, self-managed and Auto Mode nodes count the same, each named with what moves it; managed node groups' own nodes are the planner's to move", () => {
    const refused = planTo("1.36", [
      node(
        "fargate-ip-10-0-1-12.ec2.internal",
        { "eks.amazonaws.com/compute-type": "fargate", "eks.amazonaws.com/fargate-profile": "batch" },
        "v1.32.9-eks-1",
      ),
      node("ip-10-0-1-13.ec2.internal", { "alpha.eksctl.io/nodegroup-name": "legacy" }, "v1.32.9-eks-2"),
      node(
        "ip-10-0-1-14.ec2.internal",
        { "eks.amazonaws.com/compute-type": "auto", "karpenter.sh/nodepool": "system" },
        "v1.32.9-eks-3",
      ),
      // A managed node group's node at 1.32: the plan moves its group (no finding of this kind).
      node("ip-10-0-1-15.ec2.internal", { "eks.amazonaws.com/nodegroup": "general" }, "v1.32.9-eks-4"),
    ]);
    assert.deepEqual(
      refused.violations.map((v) => [
        v.code,
        v.message.split(" (")[0],
        /^First (restart their pods|roll them|let EKS Auto Mode replace them)/.test(v.remedy),
      ]),
      [
        ["EKSUP036", "EKS Auto Mode node pool system", true],
        ["EKSUP036", "Fargate profile batch", true],
        ["EKSUP036", "self-managed node group legacy", true],
      ],
    );
  });

  it("a kubelet older than 1.25 may fall two minors behind, not three", () => {
    const observed = {
      ...bareCluster("1.28"),
      kubernetes: { nodes: [node("n", KARPENTER, "v1.24.17-eks-1")], pods: [], budgets: [] },
    };
    const p = plan(
      parseSpec({ clusterName: "c", region: "us-east-1", clusterVersion: "1.28" }),
      observed,
      CATALOG,
    );
    // The control plane stays: nothing of this plan leaves the pool further behind, so no refusal.
    assert.deepEqual(p.violations, []);
    const up = plan(
      parseSpec({ clusterName: "c", region: "us-east-1", clusterVersion: "1.29" }),
      observed,
      CATALOG,
    );
    assert.match(
      up.violations[0]?.message ?? "",
      /would be 5 minors behind the control plane at 1\.29; the kubelet skew policy allows 2/,
    );
  });
});
