import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import type { SeedInput } from "../../emulator/src/index";
import {
  execute,
  inspect,
  type ProgressEvent,
  UpgradeAbortedError,
  UpgradeError,
} from "../../providers/engine/src/index";
import {
  callSummary,
  type EngineHarness,
  engineHarness,
  fleetSeed,
  resumeClockWhenAwaited,
  TIME_SCALE,
} from "../support/engine";

type Cluster = NonNullable<SeedInput["clusters"]>[number];
const cluster = (c: Partial<Cluster>): SeedInput => {
  const base = fleetSeed().clusters?.[0] as Cluster;
  return { clusters: [{ ...base, ...c }] };
};

describe("engine scenarios", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("a custom-AMI node group is moved by launch template only", async () => {
    h = await engineHarness(
      cluster({
        version: "1.30",
        addons: {},
        nodegroups: [
          { name: "custom", amiType: "CUSTOM", launchTemplate: { name: "custom-lt", version: "3" } },
        ],
      }),
    );
    const spec = h.spec({
      clusterVersion: "1.30",
      nodeGroups: { custom: { launchTemplateVersion: "4" } },
    });
    const { plan } = await inspect(h.clients, spec);
    assert.deepEqual(plan.violations, []);
    await execute(h.clients, spec, plan, { timeScale: TIME_SCALE });
    const calls = h.mutating();
    assert.equal(calls.length, 1);
    const lt = (calls[0]?.params as { launchTemplate: Record<string, string> }).launchTemplate;
    assert.deepEqual(calls[0]?.params, { launchTemplate: { id: lt.id, version: "4" } });
    assert.match(lt.id ?? "", /^lt-/);
    assert.equal(h.emulator.state().clusters[0]?.nodegroups[0]?.launchTemplate?.version, "4");
  });

  it("kubelet skew: a node group 3 minors behind moves between control-plane steps", async () => {
    h = await engineHarness(
      cluster({
        version: "1.30",
        addons: {},
        nodegroups: [
          { name: "old", amiType: "AL2023_x86_64_STANDARD", version: "1.28", desiredSize: 2 },
          { name: "new", amiType: "AL2023_x86_64_STANDARD", version: "1.30", desiredSize: 2 },
        ],
      }),
    );
    const spec = h.spec({ clusterVersion: "1.32" });
    const { plan } = await inspect(h.clients, spec);
    assert.deepEqual(plan.violations, []);
    assert.deepEqual(
      plan.steps.map((s) => s.id),
      [
        "controlPlane:1.31",
        "nodegroup:old:1.31",
        "controlPlane:1.32",
        "nodegroup:new:1.32",
        "nodegroup:old:1.32",
      ],
    );
    assert.match(
      plan.steps[1]?.reason ?? "",
      /kubelet skew: 1\.28 may not fall more than 3 minors behind the control plane going to 1\.32/,
    );
    await execute(h.clients, spec, plan, { timeScale: TIME_SCALE });
    assert.deepEqual(callSummary(h.mutating()), [
      "controlPlane 1.31",
      "nodegroup old 1.31",
      "controlPlane 1.32",
      "nodegroup new 1.32",
      "nodegroup old 1.32",
    ]);
  });

  it("resume: stopped in the middle, a second run finishes without issuing any update twice", async () => {
    h = await engineHarness(fleetSeed());
    const spec = h.spec({ clusterVersion: "1.31" });
    const first = await inspect(h.clients, spec);
    const controller = new AbortController();
    const onEvent = (e: ProgressEvent) => {
      if (e.type !== "stepStarted" || e.step.id !== "controlPlane:1.31") return;
      // The interrupted update is held until the second run reaches it, so it is awaited there
      // (a finished one would be skipped, as another test shows) whatever the machine's speed.
      h?.emulator.pauseClock();
      controller.abort();
    };
    await assert.rejects(
      execute(h.clients, spec, first.plan, { timeScale: TIME_SCALE, signal: controller.signal, onEvent }),
      (e: Error) => {
        assert.ok(e instanceof UpgradeAbortedError);
        assert.match(e.message, /still running in EKS: controlPlane:1\.31 \(update [0-9a-f-]+\)/);
        return true;
      },
    );
    const issuedBefore = callSummary(h.mutating());
    assert.equal(issuedBefore.at(-1), "controlPlane 1.31");

    const second = await inspect(h.clients, spec);
    assert.ok(
      second.plan.warnings.some((w) => w.code === "EKSUP104"),
      "the running update is reported and awaited",
    );
    const result = await execute(h.clients, spec, second.plan, {
      timeScale: TIME_SCALE,
      onEvent: resumeClockWhenAwaited(h.emulator),
    });
    assert.equal(result.steps.find((s) => s.id === "controlPlane:1.31")?.outcome, "awaited");
    const all = callSummary(h.mutating());
    assert.equal(new Set(all).size, all.length, `an update was issued twice:\n${all.join("\n")}`);
    assert.deepEqual(all.slice(0, issuedBefore.length), issuedBefore);
    assert.equal(h.emulator.state().clusters[0]?.version, "1.31");
    assert.ok(h.emulator.state().clusters[0]?.nodegroups.every((n) => n.version === "1.31"));
  });

  it("an update started elsewhere is awaited, not issued again", async () => {
    h = await engineHarness(cluster({ version: "1.30", addons: {} }));
    h.emulator.injectFault({ kind: "externalUpdate", cluster: "demo", nodegroup: "general" });
    // The external update is held until the run reaches it, and general goes first (canary).
    h.emulator.pauseClock();
    const spec = h.spec({ clusterVersion: "1.30", nodeGroups: { general: { canary: true } } });
    const { plan } = await inspect(h.clients, spec);
    const result = await execute(h.clients, spec, plan, {
      timeScale: TIME_SCALE,
      onEvent: resumeClockWhenAwaited(h.emulator),
    });
    assert.equal(result.steps.find((s) => s.id === "nodegroup:general:1.30")?.outcome, "awaited");
    assert.deepEqual(callSummary(h.mutating()), ["nodegroup arm 1.30", "nodegroup bottlerocket 1.30"]);
    assert.equal(
      h.emulator.state().clusters[0]?.nodegroups.find((n) => n.name === "general")?.version,
      "1.30",
    );
  });

  it("PodEvictionFailure names the node group, the code and the remedy; the re-run with force finishes", async () => {
    h = await engineHarness(cluster({ version: "1.30", addons: {} }));
    h.emulator.injectFault({
      kind: "updateFailure",
      cluster: "demo",
      nodegroup: "bottlerocket",
      errorCode: "PodEvictionFailure",
      unlessForce: true,
      times: 5,
    });
    const spec = h.spec({ clusterVersion: "1.30" });
    const { plan } = await inspect(h.clients, spec);
    await assert.rejects(execute(h.clients, spec, plan, { timeScale: TIME_SCALE }), (e: Error) => {
      assert.ok(e instanceof UpgradeError);
      assert.deepEqual(
        e.failures.map((f) => [f.stepId, f.target, f.code]),
        [["nodegroup:bottlerocket:1.30", "bottlerocket", "PodEvictionFailure"]],
      );
      assert.match(e.message, /PodDisruptionBudget/);
      assert.match(e.message, /replace the nodes anyway with nodeGroups\.bottlerocket\.force: true/);
      return true;
    });
    // Node groups run one at a time: general (after bottlerocket) was not started.
    assert.deepEqual(callSummary(h.mutating()), ["nodegroup arm 1.30", "nodegroup bottlerocket 1.30"]);

    const forced = h.spec({ clusterVersion: "1.30", nodeGroups: { bottlerocket: { force: true } } });
    const again = await inspect(h.clients, forced);
    assert.deepEqual(
      again.plan.steps.map((s) => s.id),
      ["nodegroup:bottlerocket:1.30", "nodegroup:general:1.30"],
    );
    await execute(h.clients, forced, again.plan, { timeScale: TIME_SCALE });
    const calls = h.mutating();
    assert.deepEqual(callSummary(calls).slice(2), ["nodegroup bottlerocket 1.30", "nodegroup general 1.30"]);
    assert.equal((calls[2]?.params as { force?: boolean }).force, true);
  });

  it("throttling bursts and transient 5xx are absorbed without failing the upgrade", async () => {
    h = await engineHarness({ ...fleetSeed(), randomSeed: 7 });
    h.emulator.injectFault({ kind: "throttle", rate: 0.3 });
    h.emulator.injectFault({ kind: "serverError", status: 503, count: 3 });
    // The SDK's backoff runs in real time while the test's clock runs 10,000x faster: give the
    // steps room, as the default deadlines give a real upgrade.
    const deadlines = { controlPlaneMinutes: 1440, addonMinutes: 1440, nodegroupMinutes: 1440 };
    const spec = h.spec({ clusterVersion: "1.30", upgrade: { deadlines } });
    const { plan } = await inspect(h.clients, spec);
    await execute(h.clients, spec, plan, { timeScale: TIME_SCALE });
    const audit = h.emulator.audit();
    assert.ok(audit.filter((e) => e.fault === "throttle").length > 10, "the burst happened");
    assert.equal(audit.filter((e) => e.fault === "serverError").length, 3);
    assert.equal(h.emulator.state().clusters[0]?.version, "1.30");
    assert.ok(h.emulator.state().clusters[0]?.nodegroups.every((n) => n.version === "1.30"));
  });

  it("latest resolves per AMI family, asking SSM only for the names needed, 10 per call", async () => {
    const types = [
      "AL2_x86_64",
      "AL2_ARM_64",
      "AL2_x86_64_GPU",
      "AL2023_x86_64_STANDARD",
      "AL2023_ARM_64_STANDARD",
      "AL2023_x86_64_NVIDIA",
      "BOTTLEROCKET_x86_64",
      "BOTTLEROCKET_ARM_64",
      "BOTTLEROCKET_x86_64_NVIDIA",
      "WINDOWS_CORE_2022_x86_64",
      "WINDOWS_FULL_2022_x86_64",
    ] as const;
    const nodegroups = [
      ...types.map((amiType, i) => ({ name: `ng-${i}`, amiType })),
      { name: "twin", amiType: "AL2_x86_64" as const },
    ];
    h = await engineHarness(cluster({ version: "1.30", addons: {}, nodegroups }));
    const spec = h.spec({ clusterVersion: "1.31" });
    const { plan } = await inspect(h.clients, spec);
    const ssm = h.emulator.audit().filter((e) => e.service === "ssm");
    assert.deepEqual(
      ssm.map((e) => e.operation),
      ["GetParameters", "GetParameters"],
    );
    const names = ssm.flatMap((e) => (e.params as { names: string[] }).names);
    assert.equal(names.length, 11, "one name per AMI type, the twin shares its name");
    assert.ok(
      names.every((n) => n.includes("1.31")),
      "only the target minor is asked for",
    );
    const catalog = h.emulator.world.catalog;
    const family = (t: string) =>
      t.startsWith("AL2023")
        ? "AL2023"
        : t.startsWith("AL2")
          ? "AL2"
          : t.startsWith("BOTTLE")
            ? "BOTTLEROCKET"
            : "WINDOWS";
    for (const ng of nodegroups) {
      const step = plan.steps.find((s) => s.target === ng.name);
      assert.equal(
        (step?.request as { releaseVersion?: string }).releaseVersion,
        catalog.latestRelease(family(ng.amiType), "1.31"),
        ng.name,
      );
    }
  });

  it("a step that outlives its deadline fails with DEADLINE_EXCEEDED and says the update goes on", async () => {
    h = await engineHarness(cluster({ version: "1.30", addons: {} }));
    const spec = h.spec({ clusterVersion: "1.30", upgrade: { deadlines: { nodegroupMinutes: 2 } } });
    const { plan } = await inspect(h.clients, spec);
    await assert.rejects(execute(h.clients, spec, plan, { timeScale: TIME_SCALE }), (e: Error) => {
      assert.ok(e instanceof UpgradeError);
      assert.equal(e.failures[0]?.code, "DEADLINE_EXCEEDED");
      assert.equal(e.failures[0]?.stepId, "nodegroup:arm:1.30");
      assert.match(
        e.message,
        /deadline 2\).*The update goes on in EKS\. Run again to resume waiting for it, or raise upgrade\.deadlines\.nodegroupMinutes/,
      );
      return true;
    });
  });

  it("maxUnavailable from the spec is set before the node group's version update", async () => {
    h = await engineHarness(cluster({ version: "1.30", addons: {} }));
    const spec = h.spec({
      clusterVersion: "1.30",
      nodeGroups: { general: { maxUnavailable: 2, canary: true } },
    });
    const { plan } = await inspect(h.clients, spec);
    assert.deepEqual(
      plan.steps.map((s) => `${s.phase} ${s.id}`),
      [
        "1 nodegroupConfig:general",
        "2 nodegroup:general:1.30",
        "2 nodegroup:arm:1.30",
        "2 nodegroup:bottlerocket:1.30",
      ],
    );
    await execute(h.clients, spec, plan, { timeScale: TIME_SCALE });
    assert.deepEqual(callSummary(h.mutating()).slice(0, 2), [
      "nodegroupConfig general",
      "nodegroup general 1.30",
    ]);
    assert.deepEqual(
      h.emulator.state().clusters[0]?.nodegroups.find((n) => n.name === "general")?.updateConfig
        .maxUnavailable,
      2,
    );
  });

  it("node groups update with the configured concurrency, and one at a time by default", async () => {
    const overlaps = async (concurrency: number) => {
      h = await engineHarness(cluster({ version: "1.30", addons: {} }));
      const spec = h.spec({ clusterVersion: "1.30", upgrade: { concurrency: concurrency } });
      const { plan } = await inspect(h.clients, spec);
      await execute(h.clients, spec, plan, { timeScale: TIME_SCALE });
      const updates = h.emulator.state().clusters[0]?.updates ?? [];
      await h.stop();
      h = undefined;
      return updates.filter((u, i) =>
        updates.some((v, j) => j !== i && v.createdAt < u.completesAt && u.createdAt < v.completesAt),
      ).length;
    };
    assert.equal(await overlaps(1), 0);
    assert.ok((await overlaps(2)) >= 2, "two node group updates ran at the same time");
  });

  it("planning reads each thing once: one DescribeAddonVersions per minor, no Update call", async () => {
    h = await engineHarness(fleetSeed());
    await inspect(h.clients, h.spec({ clusterVersion: "1.32" }));
    const audit = h.emulator.audit();
    const count = (op: string) => audit.filter((e) => e.operation === op).length;
    assert.deepEqual(
      audit
        .filter((e) => e.operation === "DescribeAddonVersions")
        .map((e) => (e.params as { kubernetesVersion: string }).kubernetesVersion),
      ["1.29", "1.30", "1.31", "1.32"],
    );
    assert.equal(count("DescribeCluster"), 1);
    assert.equal(count("DescribeNodegroup"), 3);
    assert.equal(count("DescribeAddon"), 3);
    assert.equal(count("ListInsights"), 1);
    assert.equal(count("GetParameters"), 1);
    assert.equal(audit.filter((e) => e.mutating).length, 0);
  });

  it("an update that ends between reading UPDATING and listing updates is not issued again (race)", async () => {
    // A slower clock, so the running update is still UPDATING when execution starts.
    const timeScale = 0.001; // 10 simulated minutes = 600 real ms
    h = await engineHarness({ ...cluster({ addons: {} }), timeScale });
    h.emulator.reset({ ...cluster({ addons: {} }), timeScale });
    h.emulator.injectFault({ kind: "externalUpdate", cluster: "demo", version: "1.30" });
    const spec = h.spec({ clusterVersion: "1.30" });
    const { plan } = await inspect(h.clients, spec);
    assert.equal(plan.steps[0]?.id, "controlPlane:1.30");
    // ListUpdates answers after the update has ended: the engine sees UPDATING, then no running update.
    h.emulator.injectFault({ kind: "latency", ms: 800, count: 1, operations: ["ListUpdates"] });
    const result = await execute(h.clients, spec, plan, { timeScale });
    assert.equal(result.steps[0]?.outcome, "skipped");
    assert.deepEqual(
      callSummary(h.mutating()).filter((c) => c.startsWith("controlPlane")),
      [],
      "no second UpdateClusterVersion",
    );
    assert.equal(h.emulator.state().clusters[0]?.version, "1.30");
  });

  it("observing: an update that ends between reading UPDATING and listing updates is not reported as running (race)", async () => {
    const timeScale = 0.001; // 10 simulated minutes = 600 real ms
    h = await engineHarness({ ...cluster({ addons: {} }), timeScale }, {}, timeScale);
    h.emulator.injectFault({ kind: "externalUpdate", cluster: "demo", version: "1.30" });
    h.emulator.injectFault({ kind: "latency", ms: 800, count: 1, operations: ["ListUpdates"] });
    const { observed, plan } = await inspect(h.clients, h.spec({ clusterVersion: "1.30" }));
    assert.deepEqual(plan.violations, [], "no spurious 'cluster is UPDATING'");
    assert.deepEqual([observed.cluster.version, observed.cluster.status], ["1.30", "ACTIVE"]);
    assert.deepEqual(observed.updatesInProgress, []);
    assert.ok(!plan.steps.some((s) => s.kind === "controlPlane"));
  });
});
