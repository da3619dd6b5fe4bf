import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ResourceValidationArgs } from "@pulumi/policy";
import { ignoreVersionChanges } from "../../infra/transforms";
import { policies } from "../../policy/policies";
import { CLUSTER_UPGRADE_TYPE, prodPinViolations, versionOwnershipViolations } from "../../policy/rules";
import { type Registered, run } from "../support/program";

/** What the policy engine would see for a recorded resource: its inputs, and ignoreChanges after our transform. */
function validate(resources: Registered[], withTransform = true): string[] {
  const violations: string[] = [];
  for (const r of resources) {
    const ignoreChanges = withTransform
      ? (ignoreVersionChanges({ custom: true, type: r.type, name: r.name, props: r.inputs, opts: {} })?.opts
          .ignoreChanges ?? [])
      : [];
    const args = {
      type: r.type,
      name: r.name,
      props: r.inputs,
      opts: { ignoreChanges },
    } as unknown as ResourceValidationArgs;
    for (const policy of policies) {
      if ("validateResource" in policy && typeof policy.validateResource === "function") {
        void policy.validateResource(args, (message: string) =>
          violations.push(`${policy.name}: ${message}`),
        );
      }
    }
  }
  return violations;
}

// The EKS cluster inside @pulumi/eks's component is not registered under mocks: add it as the engine sees it.
const eksCluster = (version: string): Registered => ({
  type: "aws:eks/cluster:Cluster",
  name: "cluster",
  inputs: { version },
});

describe("policy pack", () => {
  it("the prod stack as the program declares it passes both policies", async () => {
    const { registered } = await run("Pulumi.prod.yaml");
    assert.deepEqual(validate([...registered, eksCluster("1.30")]), []);
  });

  it("without the transform, every ClusterUpgrade-owned version field is a violation", async () => {
    const { registered } = await run("Pulumi.prod.yaml");
    const violations = validate([...registered, eksCluster("1.30")], false);
    const owned = violations.filter((v) => v.startsWith("versions-owned-by-cluster-upgrade"));
    assert.equal(owned.length, 1 + 3 + 4, "the cluster, 3 node groups, 4 add-ons");
    assert.ok(
      owned.some((v) =>
        /aws:eks\/nodeGroup:NodeGroup must ignore changes to version, releaseVersion/.test(v),
      ),
    );
  });

  it("dev may float; the same floating config in a prod stack is refused", async () => {
    const { registered } = await run("Pulumi.dev.yaml");
    assert.deepEqual(validate(registered), [], "dev uses latest everywhere, which is fine outside prod");
    const upgrade = registered.find((r) => r.type === CLUSTER_UPGRADE_TYPE);
    assert.ok(upgrade);
    assert.deepEqual(
      prodPinViolations("prod-eu", CLUSTER_UPGRADE_TYPE, upgrade.inputs).sort(),
      [
        'node group general: pin eks-upgrade:nodeGroups.general.amiReleaseVersion in stack prod-eu (it is "latest")',
        'node group spot: pin eks-upgrade:nodeGroups.spot.amiReleaseVersion in stack prod-eu (it is "latest")',
        'add-on coredns: pin eks-upgrade:addons.coredns in stack prod-eu (it is "latest")',
        'add-on kube-proxy: pin eks-upgrade:addons.kube-proxy in stack prod-eu (it is "latest")',
        'add-on vpc-cni: pin eks-upgrade:addons.vpc-cni in stack prod-eu (it is "latest")',
      ].sort(),
    );
    assert.deepEqual(prodPinViolations("prod", "aws:eks/addon:Addon", { addonName: "coredns" }), [
      "add-on coredns: pin addonVersion in stack prod",
    ]);
    // "current" floats too: it follows the control plane to the newest.
    assert.deepEqual(
      prodPinViolations("prod", CLUSTER_UPGRADE_TYPE, {
        nodeGroups: { general: { amiReleaseVersion: "current" } },
        addons: { coredns: "current" },
      }),
      [
        'node group general: pin eks-upgrade:nodeGroups.general.amiReleaseVersion in stack prod (it is "current")',
        'add-on coredns: pin eks-upgrade:addons.coredns in stack prod (it is "current")',
      ],
    );
    assert.deepEqual(
      prodPinViolations("prod", CLUSTER_UPGRADE_TYPE, { addons: { coredns: { resolveConflicts: "NONE" } } }),
      ['add-on coredns: pin eks-upgrade:addons.coredns in stack prod (it is "default")'],
    );
  });

  it("ownership checks name exactly the missing fields", () => {
    assert.deepEqual(versionOwnershipViolations("aws:eks/nodeGroup:NodeGroup", ["version"]), [
      "aws:eks/nodeGroup:NodeGroup must ignore changes to releaseVersion: ClusterUpgrade owns them (use the ignoreVersionChanges transform)",
    ]);
    assert.deepEqual(versionOwnershipViolations("aws:eks/addon:Addon", ["addonVersion", "tags"]), []);
    assert.deepEqual(versionOwnershipViolations("aws:iam/role:Role", []), []);
  });
});
