import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadStackConfig, StackConfigError } from "../../infra/config";
import { upgradeArgs } from "../../infra/upgrade-args";
import { canaryOrder, parseSpec } from "@eks-upgrade/engine";
import { STACK_FILES, stackConfig } from "../support/stacks";

const refused = (config: Record<string, string>, key: string, message?: RegExp) =>
  assert.throws(
    () => loadStackConfig(config),
    (e: Error) => {
      assert.ok(e instanceof StackConfigError, String(e));
      const issue = e.issues.find((i) => i.key === key);
      assert.ok(issue, `expected an error on ${key}, got ${JSON.stringify(e.issues)}`);
      if (message) assert.match(issue.message, message);
      assert.match(e.message, new RegExp(key.replace(/[.[\]]/g, "\\$&")));
      return true;
    },
  );

describe("stack config", () => {
  it("every shipped Pulumi.<stack>.yaml is valid", () => {
    assert.deepEqual(STACK_FILES.sort(), [
      "Pulumi.dev.yaml",
      "Pulumi.local.yaml",
      "Pulumi.prod.yaml",
      "Pulumi.staging.yaml",
    ]);
    for (const file of STACK_FILES) {
      const config = loadStackConfig(stackConfig(file));
      assert.match(config.clusterVersion, /^1\.\d+$/, file);
    }
  });

  it("the environments differ as intended: latest in dev, pinned in prod, canaries, promotion, local against the emulator", () => {
    const dev = loadStackConfig(stackConfig("Pulumi.dev.yaml"));
    const prod = loadStackConfig(stackConfig("Pulumi.prod.yaml"));
    const staging = loadStackConfig(stackConfig("Pulumi.staging.yaml"));
    const local = loadStackConfig(stackConfig("Pulumi.local.yaml"));
    assert.ok(Object.values(dev.nodeGroups).every((n) => n.amiReleaseVersion === "latest"));
    assert.ok(Object.values(prod.nodeGroups).every((n) => n.amiReleaseVersion !== "latest"));
    assert.ok(
      Object.values(prod.addons).every(
        (a) => !["default", "latest"].includes(typeof a === "string" ? a : a.version),
      ),
    );
    assert.deepEqual(
      canaryOrder(parseSpec({ clusterName: "x", region: "eu-west-1", ...upgradeArgs(prod) })),
      ["canary"],
    );
    assert.equal(prod.promotion?.upstreamStack, "acme/eks-upgrade/staging");
    assert.equal(staging.promotion?.upstreamStack, "acme/eks-upgrade/dev");
    assert.equal(local.mode, "existing");
    assert.match(local.endpoints?.eks ?? "", /^http:\/\/127\.0\.0\.1:/);
  });

  it("a bad value fails with the config key named", () => {
    const base = stackConfig("Pulumi.dev.yaml");
    const nodeGroups = JSON.parse(base["eks-upgrade:nodeGroups"] ?? "{}") as Record<string, object>;
    const withNodeGroup = (name: string, patch: Record<string, unknown>) => ({
      ...base,
      "eks-upgrade:nodeGroups": JSON.stringify({ ...nodeGroups, [name]: { ...nodeGroups[name], ...patch } }),
    });
    refused(
      withNodeGroup("spot", { amiReleaseVersion: "newest" }),
      "eks-upgrade:nodeGroups.spot.amiReleaseVersion",
      /"latest", "current" or a release/,
    );
    refused(
      withNodeGroup("general", { maxUnavailable: 2, maxUnavailablePercentage: 10 }),
      "eks-upgrade:nodeGroups.general.maxUnavailablePercentage",
    );
    refused(
      withNodeGroup("general", { scaling: { min: 3, max: 2, desired: 2 } }),
      "eks-upgrade:nodeGroups.general.scaling",
    );
    refused(
      withNodeGroup("general", { colour: "blue" }),
      "eks-upgrade:nodeGroups.general.colour",
      /unknown key/,
    );
    refused(
      { ...base, "eks-upgrade:nodeGroups": JSON.stringify([{ name: "general" }]) },
      "eks-upgrade:nodeGroups",
      /a map keyed by name.*"- name: general" entry as "general:"/,
    );
    refused(
      { ...base, "eks-upgrade:clusterVersion": "1.31.2" },
      "eks-upgrade:clusterVersion",
      /minor like "1\.31"/,
    );
    // YAML reads an unquoted 1.30 as the number 1.3: the message says to quote it.
    refused(
      { ...base, "eks-upgrade:clusterVersion": "1.3" },
      "eks-upgrade:clusterVersion",
      /quote it in YAML \("1\.30"\)/,
    );
    refused({ ...base, "eks-upgrade:clusterVersion": "2.0" }, "eks-upgrade:clusterVersion", /major 1/);
    refused({ ...base, "eks-upgrade:mode": "hybrid" }, "eks-upgrade:mode");
    // The Helm chart's version from before the objects were the program's own: why, and what to do.
    refused(
      {
        ...base,
        "eks-upgrade:controllers": JSON.stringify({ clusterAutoscaler: { chartVersion: "9.43.2" } }),
      },
      "eks-upgrade:controllers.clusterAutoscaler.chartVersion",
      /no longer read: cluster-autoscaler is declared as plain Kubernetes objects .*remove this key/,
    );
    refused(
      { ...base, "eks-upgrade:addons": JSON.stringify({ coredns: "newest" }) },
      "eks-upgrade:addons.coredns",
    );
    refused(
      { ...base, "eks-upgrade:upgrade": JSON.stringify({ concurrency: 0 }) },
      "eks-upgrade:upgrade.concurrency",
    );
    refused(
      { ...base, "eks-upgrade:promotion": JSON.stringify({ upstreamStack: "staging" }) },
      "eks-upgrade:promotion.upstreamStack",
      /org\/project\/stack/,
    );
    refused({ ...base, "eks-upgrade:nodeGroups": "not json" }, "eks-upgrade:nodeGroups", /structured value/);
    refused({ ...base, "eks-upgrade:clustrName": "x" }, "eks-upgrade:clustrName", /unknown key/);
    const { "eks-upgrade:clusterName": _dropped, ...withoutName } = base;
    refused(withoutName, "eks-upgrade:clusterName");
  });
});
