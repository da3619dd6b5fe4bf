import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import {
  DescribeClusterCommand,
  DescribeUpdateCommand,
  ListUpdatesCommand,
  UpdateClusterVersionCommand,
} from "@aws-sdk/client-eks";
import { Catalog } from "../../emulator/src/index";
import { type Harness, MINUTES, rejectsWith, resetTo, startHarness, stopHarness } from "../support/emulator";

const catalog = Catalog.default();

describe("control plane: UpdateClusterVersion", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => stopHarness(h));
  beforeEach(() => h.emulator.reset());

  const upgrade = (version: string, extra: { force?: boolean; clientRequestToken?: string } = {}) =>
    h.eks.send(new UpdateClusterVersionCommand({ name: "demo", version, ...extra }));
  const cluster = async () => (await h.eks.send(new DescribeClusterCommand({ name: "demo" }))).cluster;

  it("moves exactly one minor: skipping, the same minor, a lower one or an unknown one is refused", async () => {
    for (const v of ["1.31", "1.29", "1.28", "1.99", "v1.30", "1.30.1"]) {
      await rejectsWith(
        upgrade(v),
        "InvalidParameterException",
        `Unsupported Kubernetes minor version update from 1.29 to ${v}`,
      );
    }
    assert.equal(h.emulator.audit().filter((e) => e.operation === "UpdateClusterVersion").length, 6);
    assert.equal((await cluster())?.version, "1.29");
  });

  it("runs asynchronously: UPDATING while in progress, then the new version and the newest platform version of that minor", async () => {
    const before = await cluster();
    const { update } = await upgrade("1.30");
    assert.equal(update?.status, "InProgress");
    assert.equal(update?.type, "VersionUpdate");
    assert.deepEqual(update?.params, [
      { type: "Version", value: "1.30" },
      { type: "PlatformVersion", value: catalog.latestPlatformVersion("1.30") },
    ]);
    assert.ok(update?.createdAt instanceof Date);
    const during = await cluster();
    assert.equal(during?.status, "UPDATING");
    assert.equal(during?.version, "1.29");

    h.emulator.advanceClock(10 * MINUTES);
    const done = await h.eks.send(new DescribeUpdateCommand({ name: "demo", updateId: update?.id ?? "" }));
    assert.equal(done.update?.status, "Successful");
    const afterUpgrade = await cluster();
    assert.equal(afterUpgrade?.status, "ACTIVE");
    assert.equal(afterUpgrade?.version, "1.30");
    assert.equal(afterUpgrade?.platformVersion, catalog.latestPlatformVersion("1.30"));
    assert.notEqual(afterUpgrade?.platformVersion, before?.platformVersion);
  });

  it("allows one update at a time, naming the running update; the cluster shows ACTIVE a little before its update ends", async () => {
    const { update } = await upgrade("1.30");
    const id = update?.id ?? "";
    await rejectsWith(
      upgrade("1.30"),
      "ResourceInUseException",
      `Cannot VersionUpdate because cluster demo currently has update ${id} in progress`,
    );
    // 9.75 of 10 minutes: the control plane reports ACTIVE on 1.30, but the update is still running.
    h.emulator.advanceClock(9.75 * MINUTES);
    const c = await cluster();
    assert.equal(c?.status, "ACTIVE");
    assert.equal(c?.version, "1.30");
    const u = await h.eks.send(new DescribeUpdateCommand({ name: "demo", updateId: id }));
    assert.equal(u.update?.status, "InProgress");
    await rejectsWith(
      upgrade("1.31"),
      "ResourceInUseException",
      new RegExp(`currently has update ${id} in progress`),
    );
    h.emulator.advanceClock(0.5 * MINUTES);
    const next = await upgrade("1.31");
    assert.equal(next.update?.status, "InProgress");
    const { updateIds } = await h.eks.send(new ListUpdatesCommand({ name: "demo" }));
    assert.deepEqual(updateIds, [id, next.update?.id]);
  });

  it("rolls back one minor within 7 days of an upgrade (VersionRollback), and refuses it after", async () => {
    const current = { name: "demo", version: "1.35" } as const;
    resetTo(h, current);
    await upgrade("1.36");
    h.emulator.advanceClock(10 * MINUTES);
    const { update } = await upgrade("1.35");
    assert.equal(update?.type, "VersionRollback");
    h.emulator.advanceClock(10 * MINUTES);
    assert.equal((await cluster())?.version, "1.35");

    resetTo(h, current);
    await upgrade("1.36");
    h.emulator.advanceClock(10 * MINUTES + 7 * 24 * 60 * MINUTES + 60);
    await rejectsWith(
      upgrade("1.35"),
      "InvalidParameterException",
      "Unsupported Kubernetes minor version update from 1.36 to 1.35",
    );
  });

  it("a seed's lastUpgradedAt opens the rollback window and shows its VersionUpdate in ListUpdates", async () => {
    resetTo(
      h,
      { name: "demo", version: "1.36", lastUpgradedAt: "2026-11-18T12:00:00Z" },
      { startTime: "2026-11-20T12:00:00Z" },
    );
    const { updateIds } = await h.eks.send(new ListUpdatesCommand({ name: "demo" }));
    const past = await h.eks.send(new DescribeUpdateCommand({ name: "demo", updateId: updateIds?.[0] }));
    assert.equal(past.update?.type, "VersionUpdate");
    assert.equal(past.update?.status, "Successful");
    const { update } = await upgrade("1.35");
    assert.equal(update?.type, "VersionRollback");
  });

  it("refuses a rollback EKS would: into an unsupported minor, into extended support under STANDARD, a readiness ERROR unless forced, a bad timeout", async () => {
    const rollback = (extra: Record<string, unknown> = {}) =>
      h.eks.send(new UpdateClusterVersionCommand({ name: "demo", version: "1.30", ...extra }));
    resetTo(h, { name: "demo", version: "1.31", lastUpgradedAt: new Date().toISOString() });
    await rejectsWith(
      rollback(),
      "InvalidRequestException",
      "Kubernetes 1.30 is no longer supported: a cluster cannot roll back to it",
    );
    const toExtended = (version: "1.34", supportType: "STANDARD" | "EXTENDED", extra = {}) => {
      resetTo(h, {
        name: "demo",
        version: "1.35",
        supportType,
        lastUpgradedAt: new Date().toISOString(),
        insights: [
          {
            name: "Kubelet version skew",
            category: "ROLLBACK_READINESS",
            kubernetesVersion: "1.34",
            status: "ERROR",
          },
        ],
      });
      return h.eks.send(new UpdateClusterVersionCommand({ name: "demo", version, ...extra }));
    };
    await rejectsWith(
      toExtended("1.34", "STANDARD", { force: true }),
      "InvalidRequestException",
      "Kubernetes 1.34 is in extended support: set the cluster's upgrade policy to EXTENDED before rolling back to it",
    );
    await rejectsWith(
      toExtended("1.34", "EXTENDED"),
      "InvalidStateException",
      /^Amazon EKS detected rollback readiness issues: Kubelet version skew\. Call ListInsights/,
    );
    await rejectsWith(
      toExtended("1.34", "EXTENDED", { force: true, rollbackConfig: { timeoutMinutes: 60 } }),
      "InvalidParameterException",
      "rollbackConfig.timeoutMinutes must be between 120 and 10080",
    );
    const { update } = await toExtended("1.34", "EXTENDED", {
      force: true,
      rollbackConfig: { timeoutMinutes: 120 },
    });
    assert.equal(update?.type, "VersionRollback");
  });

  it("refuses an upgrade while an upgrade-readiness insight for the target shows ERROR, unless forced", async () => {
    resetTo(h, {
      name: "demo",
      version: "1.29",
      insights: [
        {
          name: "Deprecated APIs removed in Kubernetes v1.30",
          kubernetesVersion: "1.30",
          status: "ERROR",
        },
      ],
    });
    await rejectsWith(
      upgrade("1.30"),
      "InvalidStateException",
      /upgrade readiness issues for Kubernetes 1\.30: Deprecated APIs removed/,
    );
    const forced = await upgrade("1.30", { force: true });
    assert.equal(forced.update?.status, "InProgress");
  });

  it("refuses an upgrade that would put a node group beyond the kubelet skew (3 minors), unless forced", async () => {
    resetTo(h, {
      name: "demo",
      version: "1.32",
      nodegroups: [{ name: "old", amiType: "AL2023_x86_64_STANDARD", version: "1.29" }],
    });
    await rejectsWith(
      upgrade("1.33"),
      "InvalidStateException",
      /Nodegroup old runs Kubernetes 1\.29; upgrading the control plane to 1\.33 would exceed the supported kubelet version skew of 3/,
    );
    assert.equal((await upgrade("1.33", { force: true })).update?.status, "InProgress");
  });

  it("refuses a cluster that is not ACTIVE and an unknown cluster", async () => {
    resetTo(h, { name: "demo", version: "1.29", status: "CREATING" });
    await rejectsWith(
      upgrade("1.30"),
      "ResourceInUseException",
      "Cluster demo is in CREATING state; a version update needs it ACTIVE",
    );
    await rejectsWith(
      h.eks.send(new UpdateClusterVersionCommand({ name: "nope", version: "1.30" })),
      "ResourceNotFoundException",
      "No cluster found for name: nope.",
    );
  });
});
