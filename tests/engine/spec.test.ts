import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSpec, SpecError } from "../../providers/engine/src/index";

const base = { clusterName: "demo", region: "us-east-1", kubernetesVersion: "1.31" };

const refused = (input: unknown, field: string, message?: RegExp) =>
  assert.throws(
    () => parseSpec(input),
    (e: Error) => {
      assert.ok(e instanceof SpecError, String(e));
      const issue = e.issues.find((i) => i.field === field);
      assert.ok(issue, `expected an issue on ${field}, got ${JSON.stringify(e.issues)}`);
      if (message) assert.match(issue.message, message);
      assert.ok(
        e.message.startsWith("invalid upgrade spec: ") && e.message.includes(`${field}: `),
        e.message,
      );
      return true;
    },
  );

describe("desired spec validation", () => {
  it("fills the documented defaults", () => {
    const spec = parseSpec(base);
    assert.deepEqual(spec.addons, {});
    assert.deepEqual(spec.nodeGroups, {});
    assert.equal(spec.nodeGroupConcurrency, 1);
    assert.deepEqual(spec.nodeGroupOrder, []);
    assert.equal(spec.insights, "block");
    assert.deepEqual(spec.deadlines, { controlPlaneMinutes: 60, addonMinutes: 30, nodegroupMinutes: 180 });
    assert.deepEqual(spec.polling, { minSeconds: 5, maxSeconds: 60 });
    const ng = parseSpec({ ...base, nodeGroups: { general: {} } }).nodeGroups.general;
    assert.deepEqual(ng, { releaseVersion: "latest", force: false });
  });

  it("refuses bad input, naming the field", () => {
    for (const v of ["1.3.1", "v1.31", "1.31.2", "latest", ""])
      refused({ ...base, kubernetesVersion: v }, "kubernetesVersion", /Kubernetes minor like "1\.31"/);
    refused({ ...base, kubernetesVersion: 1.31 }, "kubernetesVersion");
    refused({ ...base, clusterName: "" }, "clusterName");
    refused({ ...base, clusterName: "demo; rm -rf /" }, "clusterName");
    refused({ ...base, region: "mars-1" }, "region");
    refused({ ...base, endpoints: { eks: "not a url" } }, "endpoints.eks");
    refused({ ...base, addons: { coredns: "1.11.1" } }, "addons.coredns");
    refused({ ...base, addons: { coredns: { version: "newest" } } }, "addons.coredns.version");
    refused(
      { ...base, addons: { coredns: { version: "latest", resolveConflicts: "MERGE" } } },
      "addons.coredns",
    );
    refused({ ...base, nodeGroups: { general: { force: "yes" } } }, "nodeGroups.general.force");
    refused(
      { ...base, nodeGroups: { general: { releaseVersion: "newest!" } } },
      "nodeGroups.general.releaseVersion",
    );
    refused(
      { ...base, nodeGroups: { general: { launchTemplateVersion: "$Latest" } } },
      "nodeGroups.general.launchTemplateVersion",
    );
    refused(
      { ...base, nodeGroups: { general: { maxUnavailable: 2, maxUnavailablePercentage: 10 } } },
      "nodeGroups.general.maxUnavailablePercentage",
      /not both/,
    );
    refused(
      { ...base, nodeGroups: { general: { colour: "blue" } } },
      "nodeGroups.general.colour",
      /unknown field/,
    );
    refused({ ...base, nodeGroupConcurrency: 0 }, "nodeGroupConcurrency");
    refused({ ...base, nodeGroupConcurrency: -2 }, "nodeGroupConcurrency");
    refused({ ...base, nodeGroupConcurrency: 1.5 }, "nodeGroupConcurrency");
    refused({ ...base, nodeGroupOrder: ["ok", ""] }, "nodeGroupOrder[1]");
    refused({ ...base, insights: "ignore" }, "insights");
    refused({ ...base, deadlines: { controlPlaneMinutes: 0 } }, "deadlines.controlPlaneMinutes");
    refused({ ...base, deadlines: { nodegroupMinutes: 100000 } }, "deadlines.nodegroupMinutes");
    refused({ ...base, polling: { minSeconds: 90, maxSeconds: 30 } }, "polling.minSeconds");
    refused({ ...base, kubernetesVersoin: "1.31" }, "kubernetesVersoin", /unknown field/);
  });
});
