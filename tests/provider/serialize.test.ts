import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runtime } from "@pulumi/pulumi";
import requireFromString from "require-from-string";
import { clusterUpgradeProvider } from "../../providers/clusterUpgrade/index";
import { ROOT, serializedProvider } from "../support/provider";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Loads a serialized provider as the host does, and exercises it without AWS (unknown inputs). */
async function loadAndCheck(text: string) {
  const provider = requireFromString(text, join(ROOT, "__provider.js")).handler();
  for (const m of ["check", "diff", "create", "update", "read", "delete"])
    assert.equal(typeof provider[m], "function", m);
  const result = await provider.check(
    {},
    { clusterName: UNKNOWN, region: "us-east-1", clusterVersion: "1.31" },
  );
  assert.equal(result.inputs.plan, UNKNOWN);
  const diff = await provider.diff("id", { plan: [] }, { plan: [] });
  assert.equal(diff.changes, false);
}

describe("serializing the ClusterUpgrade provider as pulumi.dynamic.Resource does", () => {
  it("compiled by the TypeScript compiler with the project's tsconfig (as Pulumi runs the program): small, engine by name", async () => {
    const text = await serializedProvider();
    assert.ok(text.length < 32_000, `${text.length} characters`);
    assert.match(text, /require\("@eks-upgrade\/engine"\)/);
    assert.doesNotMatch(
      text,
      /class Planner|DescribeClusterCommand|AwsRestJsonProtocol/,
      "neither the engine nor the SDK is embedded",
    );
    assert.doesNotMatch(
      text,
      /require\("\.\.?\//,
      "no relative require: the host resolves from the project root",
    );
    await loadAndCheck(text);
  });

  it("loaded through tsx (esbuild) it serializes and loads too", async () => {
    const { text } = await runtime.serializeFunction(() => clusterUpgradeProvider, { allowSecrets: true });
    assert.match(text, /require\("@eks-upgrade\/engine"\)/);
    await loadAndCheck(text);
  });
});
