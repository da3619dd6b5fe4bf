import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Observed, parseSpec, plan, type ResolvedCatalog } from "../../providers/engine/src/index";

/** The planner alone, on hand-made data: no emulator, no AWS. */
const spec = parseSpec({ clusterName: "c", region: "us-east-1", clusterVersion: "1.30" });
const catalog: ResolvedCatalog = {
  kubernetesVersions: [
    { minor: "1.29", status: "STANDARD_SUPPORT" },
    { minor: "1.30", status: "STANDARD_SUPPORT" },
  ],
  addonVersions: {
    "1.29": {
      "vpc-cni": [
        { version: "v1.18.6-eksbuild.1", isDefault: false },
        { version: "v1.17.1-eksbuild.1", isDefault: true },
        { version: "v1.16.0-eksbuild.1", isDefault: false },
      ],
    },
    "1.30": {
      "vpc-cni": [
        { version: "v1.19.0-eksbuild.1", isDefault: true },
        { version: "v1.18.6-eksbuild.1", isDefault: false },
      ],
    },
  },
  latestReleases: {},
  publishedReleases: {},
};
const observed = (status: string, updating: boolean): Observed => ({
  cluster: {
    name: "c",
    version: "1.29",
    platformVersion: "eks.1",
    status,
    healthIssues: [],
    supportType: "STANDARD",
    autoMode: false,
  },
  observedAt: Date.parse("2026-12-02"),
  nodegroups: [],
  addons: [{ name: "vpc-cni", version: "v1.17.1-eksbuild.1", status: "ACTIVE", healthIssues: [] }],
  insights: [],
  updatesInProgress: updating
    ? [
        {
          id: "u1",
          target: { kind: "controlPlane" },
          type: "VersionUpdate",
          status: "InProgress",
          params: [{ type: "Version", value: "1.30" }],
        },
      ]
    : [],
});

describe("planner (pure)", () => {
  it("moves an add-on the next minor does not offer before the control plane", () => {
    const p = plan(spec, observed("ACTIVE", false), catalog);
    assert.deepEqual(
      p.steps.map((s) => `${s.phase} ${s.id}`),
      ["1 addon:vpc-cni:v1.18.6-eksbuild.1", "2 controlPlane:1.30", "3 addon:vpc-cni:v1.19.0-eksbuild.1"],
    );
  });

  it("when the control plane already moves to that minor, the add-on follows it instead", () => {
    const p = plan(spec, observed("UPDATING", true), catalog);
    assert.deepEqual(p.violations, []);
    assert.deepEqual(
      p.steps.map((s) => s.id),
      ["controlPlane:1.30", "addon:vpc-cni:v1.18.6-eksbuild.1", "addon:vpc-cni:v1.19.0-eksbuild.1"],
    );
    assert.deepEqual(
      p.warnings.map((w) => w.code),
      ["EKSUP104"],
    );
  });

  // Found by the planner's properties: the target 1.29 while the control plane already goes to
  // 1.30 was "nothing to do" (EKSUP104 saying it would be awaited); the cluster ends on 1.30.
  it("a target below where the control plane is already going is a downgrade (EKSUP001), naming the update", () => {
    const p = plan(
      parseSpec({ clusterName: "c", region: "us-east-1", clusterVersion: "1.29" }),
      observed("UPDATING", true),
      catalog,
    );
    assert.deepEqual(
      p.violations.map((v) => [v.code, v.field, v.message, v.remedy]),
      [
        [
          "EKSUP001",
          "clusterVersion",
          "1.29 is lower than 1.30, where the control plane is already going (update u1); the upgrade never moves a version down",
          "Set {{clusterVersion=1.30}} or higher: the update in progress cannot be stopped.",
        ],
      ],
    );
    assert.deepEqual(p.steps, []);
  });
});
