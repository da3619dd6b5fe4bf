import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DescribeUpdateCommand, UpdateClusterVersionCommand } from "@aws-sdk/client-eks";
import type { SeedInput } from "../../emulator/src/index";
import {
  execute,
  inspect,
  inspectRollback,
  parseRollbackSpec,
  type RollbackSpec,
} from "../../providers/engine/src/index";
import {
  callSummary,
  type EngineHarness,
  engineHarness,
  resumeClockWhenAwaited,
  TIME_SCALE,
} from "../support/engine";
import type { ClusterInput } from "../support/emulator";

/*
 * The guarded rollback: within 7 days of an in-place upgrade EKS takes a control plane back one
 * minor (VersionRollback). Node groups go first, then add-ons the old minor does not offer, then
 * the control plane; every precondition the emulator enforces is refused before any call.
 */
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** Upgraded from 1.34 to 1.35 two days ago; one node group already followed, one did not. */
function upgraded(overrides: Partial<ClusterInput> = {}): SeedInput {
  return {
    timeScale: TIME_SCALE,
    clusters: [
      {
        name: "demo",
        version: "1.35",
        lastUpgradedAt: ago(2),
        addons: {
          "vpc-cni": "v1.22.3-eksbuild.1",
          coredns: "v1.13.2-eksbuild.4",
          "kube-proxy": "v1.35.3-eksbuild.17",
        },
        nodegroups: [
          { name: "general", amiType: "AL2023_x86_64_STANDARD", version: "1.35", desiredSize: 2 },
          { name: "batch", amiType: "BOTTLEROCKET_x86_64", version: "1.34", desiredSize: 1 },
        ],
        ...overrides,
      },
    ],
  };
}

describe("eks-upgrade rollback, through the engine", () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness(upgraded());
  });
  after(() => h.stop());

  const spec = (rollback: Record<string, unknown> = {}): RollbackSpec =>
    parseRollbackSpec({
      clusterName: "demo",
      region: h.emulator.region,
      endpoints: h.spec().endpoints,
      rollback,
    });

  for (const refusal of [
    {
      what: "outside the 7-day window",
      seed: upgraded({ lastUpgradedAt: ago(8) }),
      code: "EKSUP021",
      message: /^cluster demo was upgraded to 1\.35 on .* EKS allows a rollback for 7 days, until /,
    },
    {
      what: "to a minor other than the one left",
      seed: upgraded(),
      rollback: { to: "1.33" },
      code: "EKSUP022",
      message: /can only roll back to 1\.34, the minor its upgrade to 1\.35 left; not to 1\.33$/,
    },
    {
      what: "with a node group still on 1.35 that only a launch template can take back",
      seed: upgraded({
        nodegroups: [
          {
            name: "custom",
            amiType: "CUSTOM",
            version: "1.35",
            launchTemplate: { name: "custom-lt", version: "7" },
            desiredSize: 2,
          },
        ],
      }),
      code: "EKSUP025",
      message:
        /^custom-AMI node group custom runs 1\.35: it goes back by a launch template version whose AMI runs 1\.34$/,
    },
    {
      what: "with a rollback-readiness insight in ERROR, unacknowledged",
      seed: upgraded({
        insights: [
          {
            name: "Kubelet version skew",
            category: "ROLLBACK_READINESS",
            kubernetesVersion: "1.34",
            status: "ERROR",
          },
        ],
      }),
      code: "EKSUP024",
      message: /^rollback-readiness insight "Kubelet version skew" reports ERROR/,
    },
    {
      what: "into extended support under the STANDARD policy",
      seed: upgraded({ version: "1.34", supportType: "STANDARD", addons: {}, nodegroups: [] }),
      code: "EKSUP023",
      message: /^Kubernetes 1\.33 is in extended support and cluster demo's upgrade policy is STANDARD/,
    },
    {
      what: "a cluster with no recent upgrade",
      seed: upgraded({ lastUpgradedAt: undefined }),
      code: "EKSUP020",
      message: /shows no in-place upgrade to 1\.35 among its recent updates/,
    },
  ]) {
    it(`refuses ${refusal.what} (${refusal.code}), with no call that changes anything`, async () => {
      h.emulator.reset(refusal.seed);
      const { plan } = await inspectRollback(h.clients, spec(refusal.rollback));
      assert.deepEqual(plan.steps, []);
      const found = plan.violations.find((v) => v.code === refusal.code);
      assert.ok(found, JSON.stringify(plan.violations));
      assert.match(found.message, refusal.message);
      assert.ok(found.remedy);
      assert.deepEqual(h.mutating(), []);
    });
  }

  it("the emulator refuses a control-plane rollback while a node group is still on the newer minor", async () => {
    h.emulator.reset(upgraded());
    await assert.rejects(
      h.clients.eks.send(new UpdateClusterVersionCommand({ name: "demo", version: "1.34" })),
      {
        name: "InvalidRequestException",
        message:
          /Managed node groups must be rolled back to 1\.34 before the control plane: general runs 1\.35/,
      },
    );
  });

  it("a lowered clusterVersion is refused, and the remedy says how to roll back on purpose", async () => {
    h.emulator.reset(upgraded());
    const { plan } = await inspect(h.clients, h.spec({ clusterVersion: "1.34" }));
    assert.equal(plan.violations[0]?.code, "EKSUP001");
    assert.match(
      plan.violations[0]?.remedy ?? "",
      new RegExp(
        `^A rollback is a separate, deliberate operation: EKS can still take demo back from 1\\.35 to 1\\.34 until .* UTC\\. To roll back: \\(1\\) review the rollback plan with eks-upgrade rollback --cluster demo --region us-east-1 --endpoint ${h.emulator.url}; \\(2\\) run the same command with --yes; \\(3\\) then record what runs: \\{\\{clusterVersion=1\\.34\\}\\}\\. Otherwise keep \\{\\{clusterVersion\\}\\} at 1\\.35 or higher\\.$`,
      ),
    );
  });

  it("rolls back in order: node groups, add-ons 1.34 does not offer, then the control plane (VersionRollback)", async () => {
    h.emulator.reset(upgraded());
    const inspection = await inspectRollback(h.clients, spec({ timeoutMinutes: 240 }));
    const { plan } = inspection;
    assert.deepEqual(plan.violations, []);
    assert.deepEqual(
      plan.steps.map((s) => [s.phase, s.id]),
      [
        [1, "nodegroup:general:rollback:1.34"],
        [2, "addon:vpc-cni:rollback:v1.22.2-eksbuild.1"],
        [3, "controlPlane:rollback:1.34"],
        [4, "addon:kube-proxy:rollback:v1.34.6-eksbuild.13"],
      ],
      "batch already runs 1.34, coredns v1.13.2-eksbuild.4 runs on 1.34 too: they stay; kube-proxy has no version for both minors, so it follows the control plane",
    );
    assert.deepEqual(h.mutating(), [], "planning changes nothing");
    await execute(h.clients, inspection.spec, plan, { timeScale: TIME_SCALE });
    const calls = h.mutating();
    assert.deepEqual(callSummary(calls), [
      "nodegroup general 1.34",
      "addon vpc-cni v1.22.2-eksbuild.1",
      "controlPlane 1.34",
      "addon kube-proxy v1.34.6-eksbuild.13",
    ]);
    const rollback = calls.find((c) => c.operation === "UpdateClusterVersion");
    assert.deepEqual(rollback?.params, { version: "1.34", rollbackConfig: { timeoutMinutes: 240 } });
    const { update } = await h.clients.eks.send(
      new DescribeUpdateCommand({ name: "demo", updateId: rollback?.updateId }),
    );
    assert.equal(update?.type, "VersionRollback");
    assert.equal(update?.status, "Successful");
    assert.equal(h.emulator.state().clusters[0]?.version, "1.34");

    // The stack's lowered clusterVersion is now what runs: no downgrade, nothing to do.
    const after = await inspect(h.clients, h.spec({ clusterVersion: "1.34" }));
    assert.deepEqual(after.plan.violations, []);
    assert.deepEqual(after.plan.steps, []);
    // And there is nothing left to roll back.
    const again = await inspectRollback(h.clients, spec());
    assert.deepEqual(
      again.plan.violations.map((v) => [v.code, v.message]),
      [["EKSUP020", "cluster demo came to 1.34 by a rollback: there is no upgrade to take back"]],
    );
  });

  it("interrupted while the control plane rolls back, a re-run awaits it and repeats nothing", async () => {
    h.emulator.reset(upgraded());
    const first = await inspectRollback(h.clients, spec());
    const stop = new AbortController();
    await assert.rejects(
      execute(h.clients, first.spec, first.plan, {
        timeScale: TIME_SCALE,
        signal: stop.signal,
        onEvent: (e) => {
          if (e.type !== "stepStarted" || e.step.kind !== "controlPlane") return;
          // Held until the re-run reaches it: at this time scale the rollback would otherwise end
          // in ~60 ms and the re-run could find it done (skipped) rather than running (awaited).
          h.emulator.pauseClock();
          stop.abort();
        },
      }),
      { name: "UpgradeAbortedError" },
    );
    const issued = callSummary(h.mutating());
    assert.equal(issued.at(-1), "controlPlane 1.34");
    const again = await inspectRollback(h.clients, spec());
    assert.deepEqual(again.plan.violations, []);
    assert.deepEqual(
      again.plan.steps.map((s) => s.id),
      ["controlPlane:rollback:1.34", "addon:kube-proxy:rollback:v1.34.6-eksbuild.13"],
      "the node group and vpc-cni are back already",
    );
    const result = await execute(h.clients, again.spec, again.plan, {
      timeScale: TIME_SCALE,
      onEvent: resumeClockWhenAwaited(h.emulator),
    });
    assert.equal(result.steps[0]?.outcome, "awaited");
    assert.deepEqual(callSummary(h.mutating()), [...issued, "addon kube-proxy v1.34.6-eksbuild.13"]);
    assert.equal(h.emulator.state().clusters[0]?.version, "1.34");
  });

  it("an acknowledged rollback-readiness insight is sent with force and rolls back", async () => {
    h.emulator.reset(
      upgraded({
        nodegroups: [],
        insights: [
          {
            name: "Kubelet version skew",
            category: "ROLLBACK_READINESS",
            kubernetesVersion: "1.34",
            status: "ERROR",
          },
        ],
      }),
    );
    const inspection = await inspectRollback(h.clients, spec({ acknowledge: ["Kubelet version skew"] }));
    assert.deepEqual(inspection.plan.violations, []);
    assert.deepEqual(
      inspection.plan.warnings.map((w) => w.code),
      ["EKSUP112"],
    );
    await execute(h.clients, inspection.spec, inspection.plan, { timeScale: TIME_SCALE });
    const rollback = h.mutating().find((c) => c.operation === "UpdateClusterVersion");
    assert.equal(rollback?.params?.force, true);
    assert.equal(h.emulator.state().clusters[0]?.version, "1.34");
  });
});
