import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSpec, SpecError } from "../../providers/engine/src/index";

const base = { clusterName: "demo", region: "us-east-1", clusterVersion: "1.31" };

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
    assert.deepEqual(spec.upgrade, {
      concurrency: 1,
      bakeHours: 0,
      insights: "block",
      kubernetesChecks: true,
      healthGate: "pause",
      deadlines: { controlPlaneMinutes: 60, addonMinutes: 30, nodegroupMinutes: 180, healthGateMinutes: 10 },
      polling: { minSeconds: 5, maxSeconds: 60 },
    });
    const ng = parseSpec({ ...base, nodeGroups: { general: {} } }).nodeGroups.general;
    assert.deepEqual(ng, { amiReleaseVersion: "latest", force: false, drainChecks: "block", canary: false });
  });

  it("refuses bad input, naming the field", () => {
    for (const v of ["1.3.1", "v1.31", "1.31.2", "latest", ""])
      refused({ ...base, clusterVersion: v }, "clusterVersion", /Kubernetes minor like "1\.31"/);
    refused({ ...base, clusterVersion: 1.31 }, "clusterVersion");
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
      { ...base, nodeGroups: { general: { amiReleaseVersion: "newest!" } } },
      "nodeGroups.general.amiReleaseVersion",
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
    refused({ ...base, upgrade: { concurrency: 0 } }, "upgrade.concurrency");
    refused({ ...base, upgrade: { concurrency: -2 } }, "upgrade.concurrency");
    refused({ ...base, upgrade: { concurrency: 1.5 } }, "upgrade.concurrency");
    refused({ ...base, nodeGroups: { general: { canary: "yes" } } }, "nodeGroups.general.canary");
    refused({ ...base, upgrade: { insights: "ignore" } }, "upgrade.insights");
    refused(
      { ...base, upgrade: { deadlines: { controlPlaneMinutes: 0 } } },
      "upgrade.deadlines.controlPlaneMinutes",
    );
    refused(
      { ...base, upgrade: { deadlines: { nodegroupMinutes: 100000 } } },
      "upgrade.deadlines.nodegroupMinutes",
    );
    refused(
      { ...base, upgrade: { polling: { minSeconds: 90, maxSeconds: 30 } } },
      "upgrade.polling.minSeconds",
    );
    refused({ ...base, clusterVersoin: "1.31" }, "clusterVersoin", /unknown field/);
  });
});
