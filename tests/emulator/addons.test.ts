import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { DescribeAddonCommand, UpdateAddonCommand, UpdateClusterVersionCommand } from "@aws-sdk/client-eks";
import { Catalog } from "../../emulator/src/index";
import { type Harness, MINUTES, rejectsWith, startHarness, stopHarness } from "../support/emulator";

const catalog = Catalog.default();

describe("add-ons: UpdateAddon", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => stopHarness(h));
  beforeEach(() => h.emulator.reset());

  const updateAddon = (addonName: string, addonVersion?: string, resolveConflicts?: string) =>
    h.eks.send(
      new UpdateAddonCommand({
        clusterName: "demo",
        addonName,
        addonVersion,
        resolveConflicts: resolveConflicts as "OVERWRITE" | undefined,
      }),
    );
  const addon = async (addonName: string) =>
    (await h.eks.send(new DescribeAddonCommand({ clusterName: "demo", addonName }))).addon;

  it("refuses a version not compatible with the cluster's minor", async () => {
    // kube-proxy builds are made for one minor: 1.30's does not run on a 1.29 control plane.
    const for130 = catalog.defaultAddonVersion("kube-proxy", "1.30") ?? "";
    await rejectsWith(
      updateAddon("kube-proxy", for130),
      "InvalidParameterException",
      "Addon version specified is not supported",
    );
    await rejectsWith(
      updateAddon("kube-proxy", "v9.9.9-eksbuild.1"),
      "InvalidParameterException",
      "Addon version specified is not supported",
    );
    const err = await rejectsWith(updateAddon("coredns", "v0.0.1-eksbuild.1"), "InvalidParameterException");
    assert.equal((err as unknown as { addonName?: string }).addonName, "coredns");
  });

  it("moves vpc-cni at most one minor version per update, up or down", async () => {
    // The seed runs v1.16.0; v1.18 is two minors ahead.
    const v118 = catalog
      .addonVersions("vpc-cni")
      .find((v) => v.version.startsWith("v1.18.") && v.compatibleWith.has("1.29"));
    assert.ok(v118, "the catalog has a vpc-cni 1.18 build for 1.29");
    await rejectsWith(
      updateAddon("vpc-cni", v118.version),
      "InvalidParameterException",
      "Updating VPC-CNI can only go up or down 1 minor version at a time",
    );
    const v117 = catalog
      .addonVersions("vpc-cni")
      .find((v) => v.version.startsWith("v1.17.") && v.compatibleWith.has("1.29"));
    assert.ok(v117);
    const { update } = await updateAddon("vpc-cni", v117.version, "OVERWRITE");
    assert.equal(update?.type, "AddonUpdate");
    assert.deepEqual(update?.params, [
      { type: "AddonVersion", value: v117.version },
      { type: "ResolveConflicts", value: "OVERWRITE" },
    ]);
  });

  it("accepts each resolveConflicts mode and refuses others", async () => {
    for (const mode of ["OVERWRITE", "NONE", "PRESERVE"]) {
      h.emulator.reset();
      assert.equal((await updateAddon("coredns", undefined, mode)).update?.status, "InProgress");
    }
    await rejectsWith(
      updateAddon("kube-proxy", undefined, "REPLACE"),
      "InvalidParameterException",
      /resolveConflicts must be one of/,
    );
  });

  it("is UPDATING during the update, then ACTIVE on the new version; one update at a time", async () => {
    const target =
      catalog
        .addonVersions("coredns")
        .filter((v) => v.compatibleWith.has("1.29"))
        .at(-1)?.version ?? "";
    const { update } = await updateAddon("coredns", target);
    assert.equal((await addon("coredns"))?.status, "UPDATING");
    await rejectsWith(
      updateAddon("coredns", target),
      "ResourceInUseException",
      `Addon coredns currently has update ${update?.id} in progress`,
    );
    h.emulator.advanceClock(5 * MINUTES);
    const a = await addon("coredns");
    assert.equal(a?.status, "ACTIVE");
    assert.equal(a?.addonVersion, target);
  });

  it("refuses add-on updates while the control plane updates", async () => {
    const { update } = await h.eks.send(new UpdateClusterVersionCommand({ name: "demo", version: "1.30" }));
    await rejectsWith(
      updateAddon("coredns"),
      "ResourceInUseException",
      `Addon coredns cannot be updated because cluster demo currently has update ${update?.id} in progress`,
    );
  });

  it("answers an unknown add-on with ResourceNotFoundException", async () => {
    await rejectsWith(
      updateAddon("nope", "v1.0.0-eksbuild.1"),
      "ResourceNotFoundException",
      "No addon: nope found in cluster: demo",
    );
  });
});
