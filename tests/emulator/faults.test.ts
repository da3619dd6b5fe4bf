import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  ListUpdatesCommand,
  UpdateAddonCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupVersionCommand,
} from "@aws-sdk/client-eks";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { SeedError } from "../../emulator/src/index";
import { demoSeed, type Harness, MINUTES, rejectsWith, startHarness, stopHarness } from "../support/emulator";

const describeCluster = (h: Harness) => h.eks.send(new DescribeClusterCommand({ name: "demo" }));

describe("fault injection: request faults", () => {
  let h: Harness; // SDK defaults: 3 attempts with backoff
  let once: Harness; // no retries, to see each fault as it is
  before(async () => {
    h = await startHarness();
    once = await startHarness(demoSeed(), { maxAttempts: 1 });
  });
  after(async () => {
    await stopHarness(h);
    await stopHarness(once);
  });
  beforeEach(() => {
    h.emulator.reset();
    once.emulator.reset();
  });

  it("a short throttling burst is absorbed by the SDK's own retry", async () => {
    h.emulator.injectFault({ kind: "throttle", count: 2, operations: ["DescribeCluster"] });
    const { cluster } = await describeCluster(h);
    assert.equal(cluster?.version, "1.29");
    const calls = h.emulator
      .audit()
      .map((e) => [e.operation, e.status, e.errorType ?? null, e.fault ?? null]);
    assert.deepEqual(calls, [
      ["DescribeCluster", 429, "ThrottlingException", "throttle"],
      ["DescribeCluster", 429, "ThrottlingException", "throttle"],
      ["DescribeCluster", 200, null, null],
    ]);
  });

  it("answers throttling with 429 and the error type header, TooManyRequestsException when asked", async () => {
    once.emulator.injectFault({ kind: "throttle", count: 1 });
    const err = await rejectsWith(describeCluster(once), "ThrottlingException", "Rate exceeded");
    assert.equal((err as unknown as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 429);
    once.emulator.injectFault({ kind: "throttle", count: 1, errorType: "TooManyRequestsException" });
    await rejectsWith(describeCluster(once), "TooManyRequestsException");
    assert.equal((await describeCluster(once)).cluster?.name, "demo", "the faults expired after their count");
  });

  it("throttles a fraction of calls, reproducibly from the seed's randomSeed", async () => {
    const run = async () => {
      once.emulator.reset(demoSeed({ randomSeed: 42 }));
      once.emulator.injectFault({ kind: "throttle", rate: 0.3, operations: ["DescribeCluster"] });
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) {
        outcomes.push(
          await describeCluster(once).then(
            () => "ok",
            (e: Error) => e.name,
          ),
        );
      }
      return outcomes;
    };
    const first = await run();
    const throttled = first.filter((o) => o === "ThrottlingException").length;
    assert.ok(throttled > 4 && throttled < 24, `${throttled} of 40 throttled at rate 0.3`);
    assert.deepEqual(await run(), first);
  });

  it("transient 500 and 503: surfaced without retries, absorbed with them", async () => {
    once.emulator.injectFault({ kind: "serverError", status: 500, count: 1 });
    await rejectsWith(describeCluster(once), "ServerException");
    once.emulator.injectFault({ kind: "serverError", status: 503, count: 1 });
    await rejectsWith(describeCluster(once), "ServiceUnavailableException");

    h.emulator.injectFault({ kind: "serverError", status: 503, count: 2 });
    assert.equal((await describeCluster(h)).cluster?.name, "demo");
    assert.deepEqual(
      h.emulator.audit().map((e) => e.status),
      [503, 503, 200],
    );
  });

  it("a fault window closes after forSeconds of simulated time", async () => {
    once.emulator.injectFault({ kind: "serverError", forSeconds: 60 });
    await rejectsWith(describeCluster(once), "ServerException");
    once.emulator.advanceClock(61);
    assert.equal((await describeCluster(once)).cluster?.name, "demo");
  });

  it("adds latency, and faults SSM calls too", async () => {
    once.emulator.injectFault({ kind: "latency", ms: 80, count: 1, operations: ["DescribeCluster"] });
    const t0 = performance.now();
    await describeCluster(once);
    assert.ok(performance.now() - t0 >= 80);

    once.emulator.injectFault({ kind: "throttle", count: 1, operations: ["GetParameter"] });
    await rejectsWith(
      once.ssm.send(
        new GetParameterCommand({
          Name: "/aws/service/eks/optimized-ami/1.30/amazon-linux-2/recommended/release_version",
        }),
      ),
      "ThrottlingException",
    );
  });

  it("refuses a malformed fault, naming the field", () => {
    assert.throws(
      () => h.emulator.injectFault({ kind: "throttle", rate: 2 } as never),
      (e: Error) => {
        assert.ok(e instanceof SeedError);
        assert.match(e.message, /^invalid fault: rate: /);
        return true;
      },
    );
    assert.throws(
      () => h.emulator.injectFault({ kind: "updateFailure", cluster: "demo", errorCode: "Oops" } as never),
      /errorCode/,
    );
  });
});

describe("fault injection: failed and external updates", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => stopHarness(h));
  beforeEach(() => h.emulator.reset());

  const describeUpdate = (updateId: string, target: { nodegroupName?: string; addonName?: string } = {}) =>
    h.eks.send(new DescribeUpdateCommand({ name: "demo", updateId, ...target }));

  it("PodEvictionFailure on a node group fails its update after the drain timeout, unless forced", async () => {
    h.emulator.injectFault({
      kind: "updateFailure",
      cluster: "demo",
      nodegroup: "general",
      errorCode: "PodEvictionFailure",
      unlessForce: true,
      times: 2,
    });
    const { update } = await h.eks.send(
      new UpdateNodegroupVersionCommand({ clusterName: "demo", nodegroupName: "general" }),
    );
    h.emulator.advanceClock(18 * MINUTES); // setup 1 + scale up 3 + 15 of drain timeout = 19
    assert.equal(
      (await describeUpdate(update?.id ?? "", { nodegroupName: "general" })).update?.status,
      "InProgress",
    );
    h.emulator.advanceClock(1 * MINUTES);
    const failed = (await describeUpdate(update?.id ?? "", { nodegroupName: "general" })).update;
    assert.equal(failed?.status, "Failed");
    assert.deepEqual(failed?.errors, [
      {
        errorCode: "PodEvictionFailure",
        errorMessage: "Reached max retries while trying to evict pods from nodes in node group",
        resourceIds: ["general"],
      },
    ]);
    const ng = (
      await h.eks.send(new DescribeNodegroupCommand({ clusterName: "demo", nodegroupName: "general" }))
    ).nodegroup;
    assert.equal(ng?.status, "ACTIVE");
    assert.equal(ng?.releaseVersion, "1.29.0-20240213", "nothing changed");

    const forced = await h.eks.send(
      new UpdateNodegroupVersionCommand({ clusterName: "demo", nodegroupName: "general", force: true }),
    );
    h.emulator.advanceClock(60 * MINUTES);
    assert.equal(
      (await describeUpdate(forced.update?.id ?? "", { nodegroupName: "general" })).update?.status,
      "Successful",
    );
  });

  it("NodeCreationFailure leaves the node group DEGRADED with the health issue", async () => {
    h.emulator.injectFault({
      kind: "updateFailure",
      cluster: "demo",
      nodegroup: "legacy",
      errorCode: "NodeCreationFailure",
    });
    const { update } = await h.eks.send(
      new UpdateNodegroupVersionCommand({ clusterName: "demo", nodegroupName: "legacy" }),
    );
    h.emulator.advanceClock(4 * MINUTES);
    assert.equal(
      (await describeUpdate(update?.id ?? "", { nodegroupName: "legacy" })).update?.status,
      "Failed",
    );
    const ng = (
      await h.eks.send(new DescribeNodegroupCommand({ clusterName: "demo", nodegroupName: "legacy" }))
    ).nodegroup;
    assert.equal(ng?.status, "DEGRADED");
    assert.deepEqual(
      ng?.health?.issues?.map((i) => i.code),
      ["NodeCreationFailure"],
    );
  });

  it("a failed add-on update leaves it UPDATE_FAILED on its old version", async () => {
    h.emulator.injectFault({
      kind: "updateFailure",
      cluster: "demo",
      addon: "coredns",
      errorCode: "ConfigurationConflict",
    });
    const { update } = await h.eks.send(
      new UpdateAddonCommand({ clusterName: "demo", addonName: "coredns", resolveConflicts: "NONE" }),
    );
    h.emulator.advanceClock(5 * MINUTES);
    assert.equal(
      (await describeUpdate(update?.id ?? "", { addonName: "coredns" })).update?.errors?.[0]?.errorCode,
      "ConfigurationConflict",
    );
    const addon = (await h.eks.send(new DescribeAddonCommand({ clusterName: "demo", addonName: "coredns" })))
      .addon;
    assert.equal(addon?.status, "UPDATE_FAILED");
    assert.equal(addon?.addonVersion, "v1.11.1-eksbuild.4");
  });

  it("a failed control-plane update leaves the cluster ACTIVE on its old version", async () => {
    h.emulator.injectFault({ kind: "updateFailure", cluster: "demo", errorCode: "ClusterUnreachable" });
    const { update } = await h.eks.send(new UpdateClusterVersionCommand({ name: "demo", version: "1.30" }));
    h.emulator.advanceClock(10 * MINUTES);
    assert.equal((await describeUpdate(update?.id ?? "")).update?.status, "Failed");
    const { cluster } = await describeCluster(h);
    assert.deepEqual([cluster?.status, cluster?.version], ["ACTIVE", "1.29"]);
  });

  it("an update started elsewhere is InProgress, visible in ListUpdates, and blocks ours", async () => {
    h.emulator.injectFault({ kind: "externalUpdate", cluster: "demo", nodegroup: "general" });
    const { updateIds } = await h.eks.send(
      new ListUpdatesCommand({ name: "demo", nodegroupName: "general" }),
    );
    assert.equal(updateIds?.length, 1);
    assert.equal(
      (await describeUpdate(updateIds?.[0] ?? "", { nodegroupName: "general" })).update?.status,
      "InProgress",
    );
    await rejectsWith(
      h.eks.send(new UpdateNodegroupVersionCommand({ clusterName: "demo", nodegroupName: "general" })),
      "ResourceInUseException",
      `Nodegroup general currently has update ${updateIds?.[0]} in progress`,
    );
    assert.equal(h.emulator.state().clusters[0]?.updates[0]?.origin, "external");
    assert.equal(
      h.emulator.audit().filter((e) => e.mutating && e.status === 200).length,
      0,
      "the external start is not our call",
    );
  });

  it("seeds may carry faults, an external control-plane update among them", async () => {
    h.emulator.reset(demoSeed({ faults: [{ kind: "externalUpdate", cluster: "demo", version: "1.30" }] }));
    const { cluster } = await describeCluster(h);
    assert.equal(cluster?.status, "UPDATING");
    assert.throws(
      () => h.emulator.reset(demoSeed({ faults: [{ kind: "latency" } as never] })),
      /faults\[0\]\.ms/,
    );
  });
});
