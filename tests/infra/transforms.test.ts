import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { ignoreVersionChanges } from "../../infra/transforms";

const args = (type: string, ignoreChanges?: string[]): pulumi.ResourceTransformArgs => ({
  custom: true,
  type,
  name: "x",
  props: { version: "1.31", other: 1 },
  opts: ignoreChanges ? { ignoreChanges } : {},
});

describe("ignoreVersionChanges transform", () => {
  it("adds exactly the ClusterUpgrade-owned version fields, and nothing else", () => {
    assert.deepEqual(ignoreVersionChanges(args("aws:eks/cluster:Cluster"))?.opts.ignoreChanges, ["version"]);
    assert.deepEqual(ignoreVersionChanges(args("aws:eks/nodeGroup:NodeGroup"))?.opts.ignoreChanges, [
      "version",
      "releaseVersion",
    ]);
    assert.deepEqual(ignoreVersionChanges(args("aws:eks/addon:Addon"))?.opts.ignoreChanges, ["addonVersion"]);
    for (const other of [
      "aws:iam/role:Role",
      "eks:index:Cluster",
      "aws:ec2/vpc:Vpc",
      "kubernetes:apps/v1:Deployment",
    ]) {
      assert.equal(ignoreVersionChanges(args(other)), undefined, other);
    }
  });

  it("keeps what the resource already ignores and the props as they are", () => {
    const result = ignoreVersionChanges(
      args("aws:eks/nodeGroup:NodeGroup", ["scalingConfig.desiredSize", "version"]),
    );
    assert.deepEqual(result?.opts.ignoreChanges, ["scalingConfig.desiredSize", "version", "releaseVersion"]);
    assert.deepEqual(result?.props, { version: "1.31", other: 1 });
  });
});
