import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { clusterAutoscalerObjects, type KubernetesObject } from "../../infra/cluster-autoscaler";
import { ignoreVersionChanges } from "../../infra/transforms";
import { CLUSTER_UPGRADE, of, run } from "../support/program";
import { stackConfig } from "../support/stacks";

interface AutoscalerDeployment {
  spec: { template: { spec: { containers: { image: string; command: string[] }[] } } };
}

describe("the Pulumi program under mocks", () => {
  it("managed mode: cluster, node groups with updateConfig, add-ons and ClusterUpgrade, with the config's versions", async () => {
    const { config, stack, registered, transforms } = await run("Pulumi.prod.yaml");
    const [cluster] = of(registered, "eks:index:Cluster");
    assert.equal(cluster?.inputs.version, "1.35");
    assert.equal(cluster?.inputs.skipDefaultNodeGroup, true);
    // @pulumi/eks's own coredns and kube-proxy management is off: aws.eks.Addon below owns them.
    assert.equal((cluster?.inputs.corednsAddonOptions as { enabled: boolean }).enabled, false);
    assert.equal((cluster?.inputs.kubeProxyAddonOptions as { enabled: boolean }).enabled, false);
    assert.equal(cluster?.inputs.useDefaultVpcCni, true);
    assert.equal(cluster?.inputs.vpcId, "vpc-0a1b2c3d4e5f60789");

    const nodeGroups = of(registered, "aws:eks/nodeGroup:NodeGroup");
    assert.deepEqual(nodeGroups.map((n) => n.inputs.nodeGroupName).sort(), ["canary", "general", "system"]);
    const general = nodeGroups.find((n) => n.inputs.nodeGroupName === "general")?.inputs;
    assert.equal(general?.version, "1.35");
    assert.equal(general?.releaseVersion, "1.35.8-20260930");
    assert.deepEqual(general?.updateConfig, { maxUnavailablePercentage: 10 });
    assert.deepEqual(general?.scalingConfig, { minSize: 6, maxSize: 30, desiredSize: 12 });
    assert.equal((general?.tags as Record<string, string>)["k8s.io/cluster-autoscaler/eks-prod"], "owned");
    assert.deepEqual(nodeGroups.find((n) => n.inputs.nodeGroupName === "canary")?.inputs.updateConfig, {
      maxUnavailable: 1,
    });

    const addons = of(registered, "aws:eks/addon:Addon");
    assert.deepEqual(Object.fromEntries(addons.map((a) => [a.inputs.addonName, a.inputs.addonVersion])), {
      "vpc-cni": "v1.22.3-eksbuild.1",
      coredns: "v1.13.2-eksbuild.11",
      "kube-proxy": "v1.35.3-eksbuild.17",
      "aws-ebs-csi-driver": "v1.63.1-eksbuild.1",
    });
    assert.equal(
      addons.find((a) => a.inputs.addonName === "aws-ebs-csi-driver")?.inputs.resolveConflictsOnUpdate,
      "PRESERVE",
    );

    // Every resource that holds a version carries the transform that hands the version to ClusterUpgrade.
    assert.equal(transforms.length, 1 + nodeGroups.length + addons.length);
    assert.ok(transforms.every((t) => t === ignoreVersionChanges));

    const [upgrade] = of(registered, CLUSTER_UPGRADE);
    assert.equal(upgrade?.inputs.clusterVersion, "1.35");
    assert.equal(upgrade?.inputs.clusterName, "eks-prod");
    assert.equal(upgrade?.inputs.region, "eu-west-1");
    assert.equal(upgrade?.inputs.configNamespace, "eks-upgrade");
    // The stack config's own keys, each node group cut to its upgrade settings.
    assert.deepEqual(Object.keys(upgrade?.inputs.nodeGroups as object), ["canary", "general", "system"]);
    assert.deepEqual((upgrade?.inputs.nodeGroups as Record<string, unknown>).general, {
      amiReleaseVersion: "1.35.8-20260930",
      force: false,
      drainChecks: "block",
      canary: false,
      maxUnavailablePercentage: 10,
    });
    assert.equal((upgrade?.inputs.nodeGroups as Record<string, { canary: boolean }>).canary?.canary, true);
    assert.deepEqual((upgrade?.inputs.upgrade as { deadlines: object }).deadlines, {
      controlPlaneMinutes: 60,
      addonMinutes: 30,
      nodegroupMinutes: 240,
      healthGateMinutes: 10,
    });
    assert.equal(typeof upgrade?.inputs.__provider, "string");
    // ClusterUpgrade waits for the cluster, every node group and every add-on.
    assert.deepEqual(stack.upgradeDependsOn, [
      stack.managed?.cluster,
      ...(stack.managed?.nodeGroups ?? []),
      ...(stack.managed?.addons ?? []),
    ]);
    assert.equal(
      stack.upgradeDependsOn.length,
      1 + Object.keys(config.nodeGroups).length + Object.keys(config.addons).length,
    );

    // cluster-autoscaler follows the control plane ClusterUpgrade reached, with the configured IRSA
    // role: the objects clusterAutoscalerObjects renders (their API-server check is in tests/kubernetes).
    const [group] = of(registered, "kubernetes:yaml/v2:ConfigGroup");
    assert.equal(group?.name, "eks-prod-cluster-autoscaler");
    const objs = group?.inputs.objs as KubernetesObject[];
    assert.deepEqual(
      objs,
      clusterAutoscalerObjects({
        clusterName: "eks-prod",
        region: "eu-west-1",
        controlPlane: "1.35",
        roleArn: "arn:aws:iam::123456789012:role/eks-prod-cluster-autoscaler",
      }),
    );
    const container = (objs.find((o) => o.kind === "Deployment") as unknown as AutoscalerDeployment).spec
      .template.spec.containers[0];
    assert.equal(container?.image, "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.0");
    assert.ok(
      container?.command.includes(
        "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/eks-prod",
      ),
      "discovers the node groups by the tags managed mode puts on them",
    );
    assert.deepEqual(objs.find((o) => o.kind === "ServiceAccount")?.metadata.annotations, {
      "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/eks-prod-cluster-autoscaler",
    });
  });

  it("the promotion gate reads the upstream stack's outputs into ClusterUpgrade", async () => {
    const { registered } = await run("Pulumi.prod.yaml", {
      controlPlaneVersion: "1.36",
      upgradedAt: "2026-11-10T08:00:00Z",
    });
    const [ref] = of(registered, "pulumi:pulumi:StackReference");
    assert.equal(ref?.name, "acme/eks-upgrade/staging");
    assert.deepEqual(of(registered, CLUSTER_UPGRADE)[0]?.inputs.promotion, {
      upstreamStack: "acme/eks-upgrade/staging",
      upstreamVersion: "1.36",
      upstreamUpgradedAt: "2026-11-10T08:00:00Z",
      soakHours: 72,
    });
  });

  it("in a fleet, the stage before is the promotion gate: one StackReference per stack of it, with its soak; a stack that also sets eks-upgrade:promotion is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "eks-upgrade-fleet-program-"));
    const cwd = process.cwd();
    try {
      for (const stack of ["canary-1", "canary-2", "dev", "prod"])
        writeFileSync(join(dir, `Pulumi.${stack}.yaml`), "config: {}\n");
      writeFileSync(
        join(dir, "fleet.yaml"),
        "stages:\n  - name: canaries\n    stacks: [canary-*]\n    soakHours: 12\n    maxFailures: 1\n  - name: rest\n    stacks: [dev, prod]\n",
      );
      process.chdir(dir);
      const { registered } = await run("Pulumi.dev.yaml", {
        controlPlaneVersion: "1.35",
        upgradedAt: "2026-11-10T08:00:00Z",
      });
      // The mocks' organization and project: what a StackReference in this project names.
      const org = pulumi.getOrganization();
      assert.deepEqual(
        of(registered, "pulumi:pulumi:StackReference").map((r) => r.name),
        [`${org}/eks-upgrade/canary-1`, `${org}/eks-upgrade/canary-2`],
      );
      assert.deepEqual(
        of(registered, CLUSTER_UPGRADE)[0]?.inputs.promotion,
        // Named as the fleet file names them (what a refusal says), referenced by full name.
        ["canary-1", "canary-2"].map((s) => ({
          upstreamStack: s,
          upstreamVersion: "1.35",
          upstreamUpgradedAt: "2026-11-10T08:00:00Z",
          soakHours: 12,
          // The stage's failure budget goes with each of its stacks.
          maxFailures: 1,
        })),
      );
      // prod's stack file sets eks-upgrade:promotion: two places saying one thing is refused.
      await assert.rejects(
        run("Pulumi.prod.yaml"),
        /eks-upgrade:promotion: stack prod is in fleet\.yaml, whose stages are the promotion gate \(its upstream: stage canaries\); remove eks-upgrade:promotion from Pulumi\.prod\.yaml/,
      );
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('managed mode, "current" at creation: nothing runs yet, so EKS picks (the newest release, the default add-on)', async () => {
    const { registered } = await run("Pulumi.dev.yaml", undefined, {
      "eks-upgrade:addons": JSON.stringify({
        "vpc-cni": "current",
        coredns: "current",
        "kube-proxy": "current",
      }),
      "eks-upgrade:nodeGroups": JSON.stringify({ general: { amiReleaseVersion: "current" } }),
    });
    const nodeGroups = of(registered, "aws:eks/nodeGroup:NodeGroup");
    assert.ok(nodeGroups.length > 0 && nodeGroups.every((n) => n.inputs.releaseVersion === undefined));
    const addons = of(registered, "aws:eks/addon:Addon");
    assert.ok(addons.length === 3 && addons.every((a) => a.inputs.addonVersion === undefined));
  });

  it("dev: latest releases and add-ons, no promotion gate", async () => {
    const { registered } = await run("Pulumi.dev.yaml");
    assert.ok(
      of(registered, "aws:eks/nodeGroup:NodeGroup").every((n) => n.inputs.releaseVersion === undefined),
      "EKS picks the newest at creation",
    );
    assert.ok(
      of(registered, "aws:eks/addon:Addon").every((a) => a.inputs.addonVersion === "v1.99.0-eksbuild.1"),
      "latest resolved through getAddonVersion",
    );
    assert.deepEqual(of(registered, "pulumi:pulumi:StackReference"), []);
    const [upgrade] = of(registered, CLUSTER_UPGRADE);
    assert.equal(upgrade?.inputs.promotion, undefined);
    // The spot group is created with EKS's MINIMAL update strategy, and ClusterUpgrade keeps it so.
    const spot = of(registered, "aws:eks/nodeGroup:NodeGroup").find((n) => n.inputs.nodeGroupName === "spot");
    assert.deepEqual(spot?.inputs.updateConfig, { maxUnavailable: 1, updateStrategy: "MINIMAL" });
    assert.equal(
      (upgrade?.inputs.nodeGroups as Record<string, { updateStrategy?: string }>).spot?.updateStrategy,
      "MINIMAL",
    );
  });

  it("existing mode registers only ClusterUpgrade, against the emulator for the local stack", async () => {
    const { registered, outputs } = await run("Pulumi.local.yaml");
    assert.deepEqual(
      registered.map((r) => r.type),
      [CLUSTER_UPGRADE],
    );
    const inputs = registered[0]?.inputs;
    assert.equal(inputs?.clusterName, "demo");
    assert.deepEqual(inputs?.endpoints, { eks: "http://127.0.0.1:4599", ssm: "http://127.0.0.1:4599" });
    // The emulator announces its time scale; the stack file does not set one.
    assert.equal(inputs?.timeScale, undefined);
    assert.equal((inputs?.nodeGroups as Record<string, { canary: boolean }>).canary?.canary, true);
    const version = await new Promise((resolve) => outputs.controlPlaneVersion.apply(resolve));
    assert.equal(version, "1.35");
  });
});

describe("infra/index.ts, the program's entry", () => {
  it("reads the stack config Pulumi holds and exports the outputs a downstream gate reads", async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => ({
          id: `${args.name}-id`,
          state: {
            ...args.inputs,
            versions: {
              controlPlane: "1.31",
              platformVersion: "eks.9",
              addons: { coredns: "v1" },
              nodeGroups: { general: { version: "1.31", releaseVersion: "r1" } },
            },
          },
        }),
        call: () => ({}),
      },
      "eks-upgrade",
      "local",
      false,
    );
    pulumi.runtime.setAllConfig(stackConfig("Pulumi.local.yaml"));
    const program = await import("../../infra/index");
    const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
    assert.equal(await value(program.controlPlaneVersion), "1.31");
    assert.deepEqual(await value(program.nodeGroupReleases), { general: "r1" });
    assert.equal(await value(program.clusterName), "demo");
  });
});
