import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import {
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
  type UpdateNodegroupVersionCommandInput,
} from "@aws-sdk/client-eks";
import { Catalog } from "../../emulator/src/index";
import { type Harness, MINUTES, rejectsWith, resetTo, startHarness, stopHarness } from "../support/emulator";

const catalog = Catalog.default();
const latest = (family: "AL2" | "AL2023" | "BOTTLEROCKET", minor: string) =>
  catalog.latestRelease(family, minor) ?? "";

describe("node groups: UpdateNodegroupVersion and UpdateNodegroupConfig", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => stopHarness(h));
  beforeEach(() => h.emulator.reset());

  const update = (
    nodegroupName: string,
    input: Omit<UpdateNodegroupVersionCommandInput, "clusterName" | "nodegroupName"> = {},
  ) => h.eks.send(new UpdateNodegroupVersionCommand({ clusterName: "demo", nodegroupName, ...input }));
  const describeNg = async (nodegroupName: string) =>
    (await h.eks.send(new DescribeNodegroupCommand({ clusterName: "demo", nodegroupName }))).nodegroup;
  /** Moves the control plane up one minor and lets it finish. */
  const controlPlaneTo = async (version: string) => {
    await h.eks.send(new UpdateClusterVersionCommand({ name: "demo", version }));
    h.emulator.advanceClock(10 * MINUTES);
  };
  const finishAll = () => h.emulator.advanceClock(24 * 60 * MINUTES);

  it("without version or release goes to the cluster's minor with the newest AMI of its family", async () => {
    await controlPlaneTo("1.30");
    const { update: u } = await update("general");
    assert.deepEqual(u?.params, [
      { type: "Version", value: "1.30" },
      { type: "ReleaseVersion", value: latest("AL2023", "1.30") },
    ]);
    assert.equal((await describeNg("general"))?.status, "UPDATING");
    finishAll();
    const ng = await describeNg("general");
    assert.equal(ng?.status, "ACTIVE");
    assert.equal(ng?.version, "1.30");
    assert.equal(ng?.releaseVersion, latest("AL2023", "1.30"));
  });

  it("accepts the cluster's minor or the node group's own, several minors at once, never newer than the control plane", async () => {
    resetTo(h, {
      name: "demo",
      version: "1.31",
      nodegroups: [{ name: "ng", amiType: "AL2023_x86_64_STANDARD", version: "1.28" }],
    });
    await rejectsWith(
      update("ng", { version: "1.32" }),
      "InvalidParameterException",
      "Requested Nodegroup version 1.32 is newer than the cluster version 1.31",
    );
    await rejectsWith(
      update("ng", { version: "1.30" }),
      "InvalidParameterException",
      "Requested Nodegroup version 1.30 is invalid. The version must be the cluster version 1.31 or the current nodegroup version 1.28",
    );
    const { update: u } = await update("ng", { version: "1.31" });
    assert.equal(u?.params?.[0]?.value, "1.31");
  });

  it("requires a release of the target minor and of the node group's AMI family", async () => {
    await controlPlaneTo("1.30");
    // The eksctl report: a 1.31 release sent for a node group still on 1.30 (no version given).
    const al2023For131 = catalog.releasesFor("AL2023", "1.31")[0] ?? "";
    await rejectsWith(
      update("general", { releaseVersion: al2023For131 }),
      "InvalidParameterException",
      `Requested release version ${al2023For131} is not valid for kubernetes version 1.29`,
    );
    const bottlerocket = latest("BOTTLEROCKET", "1.30");
    await rejectsWith(
      update("general", { version: "1.30", releaseVersion: bottlerocket }),
      "InvalidParameterException",
      `Requested release version ${bottlerocket} is not valid for kubernetes version 1.30`,
    );
    const pinned = catalog.releasesFor("AL2023", "1.30")[2] ?? "";
    const { update: u } = await update("general", { version: "1.30", releaseVersion: pinned });
    assert.equal(u?.params?.[1]?.value, pinned);
  });

  it("refuses an older release than the running one (managed node groups cannot roll back)", async () => {
    resetTo(h, {
      name: "demo",
      version: "1.30",
      nodegroups: [{ name: "ng", version: "1.30", releaseVersion: latest("AL2023", "1.30") }],
    });
    const older = catalog.releasesFor("AL2023", "1.30")[0] ?? "";
    await rejectsWith(
      update("ng", { releaseVersion: older }),
      "InvalidParameterException",
      `Requested release version ${older} is older than the current release version ${latest("AL2023", "1.30")}; managed node groups cannot roll back`,
    );
  });

  it("has no AL2 AMI after Kubernetes 1.32", async () => {
    resetTo(h, {
      name: "demo",
      version: "1.33",
      nodegroups: [{ name: "legacy", amiType: "AL2_x86_64", version: "1.32" }],
    });
    await rejectsWith(
      update("legacy"),
      "InvalidParameterException",
      "AMI type AL2_x86_64 is not supported for Kubernetes version 1.33",
    );
    assert.deepEqual(catalog.releasesFor("AL2", "1.33"), []);
  });

  it("moves a custom-AMI node group only by launch template version of the same template", async () => {
    const refusal =
      "You cannot specify version or releaseVersion for a node group that uses a custom AMI; update its launch template version instead";
    await rejectsWith(update("custom", { version: "1.29" }), "InvalidParameterException", refusal);
    await rejectsWith(
      update("custom", {
        releaseVersion: "1.29.0-20240129",
        launchTemplate: { name: "custom-lt", version: "4" },
      }),
      "InvalidParameterException",
      refusal,
    );
    await rejectsWith(
      update("custom"),
      "InvalidParameterException",
      /launchTemplate with the template's name or id and a version is required/,
    );
    await rejectsWith(
      update("custom", { launchTemplate: { name: "other-lt", version: "4" } }),
      "InvalidParameterException",
      "Launch template other-lt does not match the node group's launch template custom-lt",
    );
    const { update: u } = await update("custom", { launchTemplate: { name: "custom-lt", version: "4" } });
    assert.deepEqual(u?.params, [
      { type: "LaunchTemplateName", value: "custom-lt" },
      { type: "LaunchTemplateVersion", value: "4" },
    ]);
    finishAll();
    assert.equal((await describeNg("custom"))?.launchTemplate?.version, "4");
  });

  it("follows the Kubernetes minor of known launch template versions", async () => {
    resetTo(h, {
      name: "demo",
      version: "1.30",
      nodegroups: [
        {
          name: "custom",
          amiType: "CUSTOM",
          launchTemplate: {
            name: "lt",
            version: "1",
            versions: {
              "1": { kubernetesVersion: "1.29", imageId: "ami-0aaaaaaaaaaaaaaa1" },
              "2": { kubernetesVersion: "1.30", imageId: "ami-0aaaaaaaaaaaaaaa2" },
              "3": { kubernetesVersion: "1.31", imageId: "ami-0aaaaaaaaaaaaaaa3" },
            },
          },
        },
      ],
    });
    assert.equal((await describeNg("custom"))?.version, "1.29");
    await rejectsWith(
      update("custom", { launchTemplate: { name: "lt", version: "3" } }),
      "InvalidParameterException",
      "Launch template version 3 uses Kubernetes 1.31, newer than the cluster version 1.30",
    );
    await rejectsWith(
      update("custom", { launchTemplate: { name: "lt", version: "9" } }),
      "InvalidParameterException",
      /version 9 was not found/,
    );
    await update("custom", { launchTemplate: { name: "lt", version: "2" } });
    finishAll();
    const ng = await describeNg("custom");
    assert.equal(ng?.version, "1.30");
    assert.equal(ng?.releaseVersion, "ami-0aaaaaaaaaaaaaaa2");
    assert.equal(ng?.amiType, "CUSTOM");
  });

  it("allows one update at a time per node group, and none while the control plane updates", async () => {
    const { update: first } = await update("general");
    await rejectsWith(
      update("general"),
      "ResourceInUseException",
      `Nodegroup general currently has update ${first?.id} in progress`,
    );
    await rejectsWith(
      h.eks.send(
        new UpdateNodegroupConfigCommand({
          clusterName: "demo",
          nodegroupName: "general",
          updateConfig: { maxUnavailable: 2 },
        }),
      ),
      "ResourceInUseException",
      `Nodegroup general currently has update ${first?.id} in progress`,
    );
    // Another node group may update at the same time.
    assert.equal((await update("legacy")).update?.status, "InProgress");
    finishAll();
    const { update: cp } = await h.eks.send(
      new UpdateClusterVersionCommand({ name: "demo", version: "1.30" }),
    );
    await rejectsWith(
      update("general"),
      "ResourceInUseException",
      `Nodegroup general cannot be updated because cluster demo currently has update ${cp?.id} in progress`,
    );
  });

  it("records force on the update (it is what lets a blocked drain through)", async () => {
    const { update: u } = await update("general", { force: true });
    const forced = h.emulator.state().clusters[0]?.updates.find((x) => x.id === u?.id);
    assert.equal(forced?.force, true);
    const entry = h.emulator.audit().find((e) => e.operation === "UpdateNodegroupVersion");
    assert.deepEqual(entry?.params, { force: true });
  });

  it("UpdateNodegroupConfig changes maxUnavailable or the percentage, validated", async () => {
    const config = (updateConfig: Record<string, unknown>) =>
      h.eks.send(
        new UpdateNodegroupConfigCommand({ clusterName: "demo", nodegroupName: "general", updateConfig }),
      );
    await rejectsWith(
      config({ maxUnavailable: 2, maxUnavailablePercentage: 50 }),
      "InvalidParameterException",
      /Only one of/,
    );
    await rejectsWith(
      config({ maxUnavailable: 0 }),
      "InvalidParameterException",
      "maxUnavailable must be an integer between 1 and 100",
    );
    await rejectsWith(
      h.eks.send(new UpdateNodegroupConfigCommand({ clusterName: "demo", nodegroupName: "general" })),
      "InvalidParameterException",
      "No changes were requested for the nodegroup",
    );
    const { update: u } = await config({ maxUnavailablePercentage: 50 });
    assert.equal(u?.type, "ConfigUpdate");
    assert.deepEqual(u?.params, [{ type: "MaxUnavailablePercentage", value: "50" }]);
    finishAll();
    const d = await h.eks.send(
      new DescribeUpdateCommand({ name: "demo", updateId: u?.id ?? "", nodegroupName: "general" }),
    );
    assert.equal(d.update?.status, "Successful");
    assert.deepEqual((await describeNg("general"))?.updateConfig, { maxUnavailablePercentage: 50 });
  });

  it("finds a node group's update only when the node group is named, like EKS", async () => {
    const { update: u } = await update("general");
    await rejectsWith(
      h.eks.send(new DescribeUpdateCommand({ name: "demo", updateId: u?.id ?? "" })),
      "ResourceNotFoundException",
      `No update found for ID: ${u?.id}`,
    );
    const d = await h.eks.send(
      new DescribeUpdateCommand({ name: "demo", updateId: u?.id ?? "", nodegroupName: "general" }),
    );
    assert.equal(d.update?.id, u?.id);
    await rejectsWith(
      update("missing"),
      "ResourceNotFoundException",
      "No node group found for name: missing.",
    );
  });
});
