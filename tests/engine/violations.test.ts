import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { SeedInput } from "../../emulator/src/index";
import { type DesiredSpecInput, execute, inspect, PlanRefusedError } from "../../providers/engine/src/index";
import { type EngineHarness, engineHarness, fleetSeed, TIME_SCALE } from "../support/engine";

type Cluster = NonNullable<SeedInput["clusters"]>[number];

interface Case {
  name: string;
  cluster?: Partial<Cluster>;
  spec: Partial<DesiredSpecInput>;
  code: string;
  field: string;
  message?: RegExp;
  remedy?: RegExp;
}

const AL2023_130 = "1.30.0-20240522";

const CASES: Case[] = [
  {
    name: "a lower control-plane version",
    spec: { clusterVersion: "1.28" },
    code: "EKSUP001",
    field: "clusterVersion",
    message: /1\.28 is lower than the control plane's 1\.29/,
  },
  {
    name: "a minor EKS does not offer",
    spec: { clusterVersion: "1.38" },
    code: "EKSUP002",
    field: "clusterVersion",
    message: /^EKS does not offer Kubernetes 1\.38 \(offered: 1\.28, /,
  },
  {
    name: "a cluster that is not ACTIVE",
    cluster: { status: "FAILED" },
    spec: { clusterVersion: "1.30" },
    code: "EKSUP003",
    field: "clusterName",
  },
  {
    name: "a DEGRADED node group, with its health issues",
    cluster: {
      nodegroups: [
        {
          name: "general",
          status: "DEGRADED",
          healthIssues: [
            { code: "AsgInstanceLaunchFailures", message: "Could not launch On-Demand Instances" },
          ],
        },
      ],
    },
    spec: { clusterVersion: "1.30" },
    code: "EKSUP004",
    field: "nodeGroups.general",
    message: /AsgInstanceLaunchFailures: Could not launch On-Demand Instances/,
  },
  {
    name: "an unknown node group",
    spec: { nodeGroups: { nope: {} } },
    code: "EKSUP005",
    field: "nodeGroups.nope",
  },
  {
    name: "an unknown canary node group",
    spec: { nodeGroups: { general: { canary: true }, nope: { canary: true } } },
    code: "EKSUP005",
    field: "nodeGroups.nope",
  },
  {
    name: "an older node group release (downgrade)",
    cluster: {
      version: "1.30",
      nodegroups: [{ name: "general", version: "1.30", releaseVersion: "1.30.0-20240531" }],
    },
    spec: { clusterVersion: "1.30", nodeGroups: { general: { amiReleaseVersion: AL2023_130 } } },
    code: "EKSUP006",
    field: "nodeGroups.general.amiReleaseVersion",
    message: /runs 1\.30\.0-20240531; 1\.30\.0-20240522 would be a downgrade/,
  },
  {
    name: "a release of another minor",
    spec: { clusterVersion: "1.30", nodeGroups: { general: { amiReleaseVersion: "1.31.0-20240924" } } },
    code: "EKSUP007",
    field: "nodeGroups.general.amiReleaseVersion",
    message: /release for Kubernetes 1\.31, but node group general goes to 1\.30/,
  },
  {
    name: "a release of another AMI family",
    spec: { clusterVersion: "1.30", nodeGroups: { general: { amiReleaseVersion: "1.20.0-fcf71a47" } } },
    code: "EKSUP007",
    field: "nodeGroups.general.amiReleaseVersion",
    message: /not a release of node group general's AMI family \(AL2023/,
  },
  {
    name: "an AL2 node group going to 1.33",
    cluster: { version: "1.32", nodegroups: [{ name: "legacy", amiType: "AL2_x86_64", version: "1.32" }] },
    spec: { clusterVersion: "1.33" },
    code: "EKSUP008",
    field: "nodeGroups.legacy",
    message: /uses AL2_x86_64, which has no AMI for Kubernetes 1\.33/,
    remedy: /Move node group legacy to AL2023_x86_64_STANDARD or BOTTLEROCKET_x86_64/,
  },
  {
    name: "a custom-AMI node group without a launch template version",
    cluster: {
      nodegroups: [
        { name: "custom", amiType: "CUSTOM", launchTemplate: { name: "custom-lt", version: "3" } },
      ],
    },
    spec: { clusterVersion: "1.30" },
    code: "EKSUP009",
    field: "nodeGroups.custom.launchTemplateVersion",
    message: /give the launch template version whose AMI runs 1\.30 \(running: 3\)/,
  },
  {
    name: "an older launch template version",
    cluster: {
      nodegroups: [
        { name: "custom", amiType: "CUSTOM", launchTemplate: { name: "custom-lt", version: "3" } },
      ],
    },
    spec: { clusterVersion: "1.30", nodeGroups: { custom: { launchTemplateVersion: "2" } } },
    code: "EKSUP010",
    field: "nodeGroups.custom.launchTemplateVersion",
  },
  {
    name: "an add-on that is not installed",
    spec: { addons: { "aws-ebs-csi-driver": "latest" } },
    code: "EKSUP011",
    field: "addons.aws-ebs-csi-driver",
  },
  {
    name: "an add-on version not offered for the target",
    spec: { clusterVersion: "1.30", addons: { coredns: "v1.99.0-eksbuild.1" } },
    code: "EKSUP012",
    field: "addons.coredns",
    message: /coredns v1\.99\.0-eksbuild\.1 is not offered for Kubernetes 1\.30/,
  },
  {
    name: "an older add-on version (downgrade)",
    spec: { clusterVersion: "1.29", addons: { coredns: "v1.10.1-eksbuild.4" } },
    code: "EKSUP013",
    field: "addons.coredns",
    message: /runs v1\.11\.1-eksbuild\.4; v1\.10\.1-eksbuild\.4 would be a downgrade/,
  },
  {
    name: "an ERROR upgrade-readiness insight for a minor on the path",
    cluster: {
      insights: [
        { name: "Deprecated APIs removed in Kubernetes v1.31", kubernetesVersion: "1.31", status: "ERROR" },
      ],
    },
    spec: { clusterVersion: "1.31" },
    code: "EKSUP015",
    field: "upgrade.insights",
    message: /"Deprecated APIs removed in Kubernetes v1\.31" reports ERROR for Kubernetes 1\.31/,
  },
  {
    name: "a launch template version for a node group without a launch template",
    spec: { clusterVersion: "1.30", nodeGroups: { general: { launchTemplateVersion: "2" } } },
    code: "EKSUP016",
    field: "nodeGroups.general.launchTemplateVersion",
  },
];

describe("engine: refusals, each with its code and field, and no call that changes anything", () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness(fleetSeed());
  });
  after(() => h.stop());

  for (const c of CASES) {
    it(`refuses ${c.name} (${c.code} ${c.field})`, async () => {
      const base = fleetSeed().clusters?.[0] as Cluster;
      h.emulator.reset({ timeScale: TIME_SCALE, clusters: [{ ...base, ...c.cluster }] });
      const spec = h.spec(c.spec);
      const { plan } = await inspect(h.clients, spec);
      const v = plan.violations.find((x) => x.code === c.code && x.field === c.field);
      assert.ok(v, `expected ${c.code} on ${c.field}, got ${JSON.stringify(plan.violations, null, 1)}`);
      if (c.message) assert.match(v.message, c.message);
      if (c.remedy) assert.match(v.remedy, c.remedy);
      assert.ok(v.remedy.length > 20, "a remedy is given");
      assert.deepEqual(plan.steps, [], "a refused plan has no steps");
      await assert.rejects(execute(h.clients, spec, plan, { timeScale: TIME_SCALE }), (e: Error) => {
        assert.ok(e instanceof PlanRefusedError);
        assert.match(e.message, new RegExp(`${c.code} ${c.field.replace(/[.[\]]/g, "\\$&")}`));
        return true;
      });
      assert.deepEqual(h.mutating(), [], "no mutating call reached EKS");
    });
  }

  it("acknowledging the insight by name turns it into a warning, and the control-plane step is forced", async () => {
    const base = fleetSeed().clusters?.[0] as Cluster;
    const insights = [
      {
        name: "Deprecated APIs removed in Kubernetes v1.30",
        kubernetesVersion: "1.30",
        status: "ERROR" as const,
      },
    ];
    h.emulator.reset({ timeScale: TIME_SCALE, clusters: [{ ...base, insights }] });
    const spec = h.spec({
      clusterVersion: "1.30",
      upgrade: { insights: ["Deprecated APIs removed in Kubernetes v1.30"] },
    });
    const { plan } = await inspect(h.clients, spec);
    assert.deepEqual(plan.violations, []);
    // 1.30 is past its extended support as of December 2026: EKS says so (EKSUP106).
    assert.deepEqual(
      plan.warnings.map((w) => w.code),
      ["EKSUP106", "EKSUP101"],
    );
    assert.deepEqual(plan.steps.find((s) => s.kind === "controlPlane")?.request, {
      kind: "controlPlane",
      version: "1.30",
      force: true,
    });
    await execute(h.clients, spec, plan, { timeScale: TIME_SCALE });
    assert.equal(h.emulator.state().clusters[0]?.version, "1.30");
  });
});
