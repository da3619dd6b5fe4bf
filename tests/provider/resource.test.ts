import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";

describe("new ClusterUpgrade(...) under Pulumi mocks", () => {
  it("registers the dynamic type token with the serialized provider and exposes the outputs", async () => {
    const registered: { type: string; inputs: Record<string, unknown> }[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, inputs: args.inputs });
          return {
            id: "us-east-1/demo",
            state: {
              ...args.inputs,
              versions: { controlPlane: "1.32", platformVersion: "eks.9", addons: {}, nodeGroups: {} },
            },
          };
        },
        call: () => ({}),
      },
      "eks-upgrade",
      "test",
      true,
    );
    // Imported after setMocks, as Pulumi's testing guide requires.
    const { ClusterUpgrade } = await import("../../providers/clusterUpgrade/index");
    const upgrade = new ClusterUpgrade("upgrade", {
      clusterName: "demo",
      region: "us-east-1",
      clusterVersion: pulumi.output("1.32"),
      nodeGroups: { general: { amiReleaseVersion: "latest", force: false } },
    });
    const versions = await new Promise((resolve) => upgrade.versions.apply(resolve));
    const version = await new Promise((resolve) => upgrade.clusterVersion.apply(resolve));
    assert.deepEqual(versions, {
      controlPlane: "1.32",
      platformVersion: "eks.9",
      addons: {},
      nodeGroups: {},
    });
    assert.equal(version, "1.32");
    assert.equal(registered.length, 1);
    assert.equal(registered[0]?.type, "pulumi-nodejs:dynamic/eks-upgrade:ClusterUpgrade");
    const provider = registered[0]?.inputs.__provider;
    assert.equal(typeof provider, "string");
    assert.match(String(provider), /require\("@eks-upgrade\/engine"\)/);
    assert.deepEqual(registered[0]?.inputs.nodeGroups, {
      general: { amiReleaseVersion: "latest", force: false },
    });
  });
});
