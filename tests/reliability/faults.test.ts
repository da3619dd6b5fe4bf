import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import type { FaultInput, SeedInput } from "../../emulator/src/index";
import {
  createClients,
  type DesiredSpec,
  destroyClients,
  execute,
  inspect,
  observe,
  parseSpec,
  type ProgressEvent,
  UpgradeAbortedError,
  UpgradeError,
} from "../../providers/engine/src/index";
import { clusterUpgradeProvider as provider } from "../../providers/clusterUpgrade/index";
import { ADDONS_1_29, type ClusterInput } from "../support/emulator";
import { type EngineHarness, engineHarness, fleetSeed, GENERAL_1_29, TIME_SCALE } from "../support/engine";
import { withEnv } from "../support/env";
import { PROVIDER_ENV } from "../support/provider";

/** The matrix's cluster: 1.29, three add-ons, two node groups; the target is 1.30. */
const seed = (over: Partial<ClusterInput> = {}): SeedInput =>
  fleetSeed({
    addons: { ...ADDONS_1_29, "vpc-cni": "v1.18.6-eksbuild.1" },
    nodegroups: [
      GENERAL_1_29,
      { name: "batch", amiType: "BOTTLEROCKET_x86_64", version: "1.29", desiredSize: 2 },
    ],
    ...over,
  });

/** What the tool reports (observe) is what the emulator holds: nothing lost, nothing claimed. */
async function assertTruthful(h: EngineHarness) {
  const reported = await observe(h.clients, "demo");
  const truth = h.emulator.state().clusters[0];
  assert.equal(reported.cluster.version, truth?.version);
  assert.deepEqual(
    reported.nodegroups.map((n) => [n.name, n.version, n.releaseVersion, n.status]).sort(),
    (truth?.nodegroups ?? []).map((n) => [n.name, n.version, n.releaseVersion, n.status]).sort(),
  );
  assert.deepEqual(
    reported.addons.map((a) => [a.name, a.version, a.status]).sort(),
    (truth?.addons ?? []).map((a) => [a.name, a.version, a.status]).sort(),
  );
}

/** No update that succeeded was ever issued again (failed ones may be retried). */
function assertNothingRepeated(h: EngineHarness) {
  const updates = h.emulator.state().clusters[0]?.updates ?? [];
  const key = (u: (typeof updates)[number]) =>
    `${u.nodegroup ?? u.addon ?? "cluster"} ${JSON.stringify(u.params)}`;
  for (const done of updates.filter((u) => u.status === "Successful")) {
    const issued = updates.filter((u) => key(u) === key(done) && u.status !== "Failed");
    assert.equal(issued.length, 1, `repeated: ${key(done)}`);
  }
}

async function converged(h: EngineHarness, spec: DesiredSpec) {
  const again = await inspect(h.clients, spec);
  assert.deepEqual(again.plan.violations, []);
  await execute(h.clients, spec, again.plan, { timeScale: TIME_SCALE });
  const truth = h.emulator.state().clusters[0];
  assert.equal(truth?.version, "1.30");
  assert.ok(truth?.nodegroups.every((n) => n.version === "1.30"));
  assert.deepEqual((await inspect(h.clients, spec)).plan.steps, [], "nothing left to do");
  assertNothingRepeated(h);
  await assertTruthful(h);
}

async function run(
  h: EngineHarness,
  spec: DesiredSpec,
  options: { signal?: AbortSignal; onEvent?: (e: ProgressEvent) => void } = {},
) {
  const { plan } = await inspect(h.clients, spec);
  return execute(h.clients, spec, plan, { timeScale: TIME_SCALE, ...options });
}

describe("fault matrix, through the engine", () => {
  let h: EngineHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const failures: [string, FaultInput, string, RegExp][] = [
    [
      "control-plane update Failed",
      { kind: "updateFailure", cluster: "demo", errorCode: "ClusterUnreachable" },
      "ClusterUnreachable",
      /controlPlane:1\.30/,
    ],
    [
      "add-on UPDATE_FAILED",
      { kind: "updateFailure", cluster: "demo", addon: "coredns", errorCode: "ConfigurationConflict" },
      "ConfigurationConflict",
      /resolveConflicts to OVERWRITE/,
    ],
    [
      "PodEvictionFailure",
      { kind: "updateFailure", cluster: "demo", nodegroup: "batch", errorCode: "PodEvictionFailure" },
      "PodEvictionFailure",
      /nodeGroups\.batch\.force: true/,
    ],
  ];
  for (const [name, fault, code, remedy] of failures) {
    it(`${name}: fails naming the step, code and remedy; state truthful; a re-run converges`, async () => {
      h = await engineHarness(seed());
      h.emulator.injectFault(fault);
      const spec = h.spec({ clusterVersion: "1.30" });
      await assert.rejects(run(h, spec), (e: Error) => {
        assert.ok(e instanceof UpgradeError);
        assert.equal(e.failures[0]?.code, code);
        assert.match(e.message, remedy);
        return true;
      });
      await assertTruthful(h);
      await converged(h, spec);
    });
  }

  it("NodeCreationFailure: fails; the node group is DEGRADED and a re-run is refused until it is repaired", async () => {
    h = await engineHarness(seed());
    h.emulator.injectFault({
      kind: "updateFailure",
      cluster: "demo",
      nodegroup: "general",
      errorCode: "NodeCreationFailure",
    });
    const spec = h.spec({ clusterVersion: "1.30" });
    await assert.rejects(
      run(h, spec),
      (e: Error) => e instanceof UpgradeError && /check EC2 capacity/.test(e.message),
    );
    await assertTruthful(h);
    const before = h.mutating().length;
    const again = await inspect(h.clients, spec);
    assert.deepEqual(
      again.plan.violations.map((v) => [v.code, v.field]),
      [["EKSUP004", "nodeGroups.general"]],
    );
    assert.match(again.plan.violations[0]?.message ?? "", /NodeCreationFailure/);
    assert.equal(h.mutating().length, before);
  });

  it("throttling on 30% of calls, and transient 500/503: converges in one run", async () => {
    h = await engineHarness({ ...seed(), randomSeed: 11 });
    // The SDK's backoff runs in real time (100 ms = 1,000 simulated s here): a simulated day covers the run.
    h.emulator.injectFault({ kind: "throttle", rate: 0.3, forSeconds: 86_400 });
    h.emulator.injectFault({ kind: "serverError", status: 500, count: 2 });
    h.emulator.injectFault({ kind: "serverError", status: 503, count: 2 });
    const spec = h.spec({
      clusterVersion: "1.30",
      upgrade: { deadlines: { controlPlaneMinutes: 1440, addonMinutes: 1440, nodegroupMinutes: 1440 } },
    });
    await run(h, spec);
    assert.ok(h.emulator.audit().filter((e) => e.fault).length > 10);
    await converged(h, spec);
  });

  it("a poll throttled through every SDK retry: the update goes on in EKS, the next poll sees it end; one run", async () => {
    // Two attempts a call (the SDK's backoff runs in real time, ages at this time scale), both
    // throttled: one whole poll of an update gets no answer.
    h = await engineHarness(seed(), { maxAttempts: 2 });
    h.emulator.injectFault({ kind: "throttle", operations: ["DescribeUpdate"], count: 2 });
    // The SDK's backoff runs in real time (100 ms = 1,000 simulated s here): a simulated day covers the run.
    const spec = h.spec({
      clusterVersion: "1.30",
      upgrade: { deadlines: { controlPlaneMinutes: 1440, addonMinutes: 1440, nodegroupMinutes: 1440 } },
    });
    await run(h, spec);
    const throttled = h.emulator.audit().filter((e) => e.fault);
    assert.deepEqual(
      throttled.map((e) => e.operation),
      ["DescribeUpdate", "DescribeUpdate"],
    );
    // That update was polled again after the throttled poll, under the same id.
    const polls = h.emulator
      .audit()
      .filter((e) => e.operation === "DescribeUpdate" && e.updateId === throttled[0]?.updateId);
    assert.ok(
      polls.some((e) => !e.fault && e.seq > (throttled.at(-1)?.seq ?? 0)),
      "polled again",
    );
    await converged(h, spec);
  });

  it("an update started outside the tool: awaited, converges", async () => {
    h = await engineHarness(seed(), {}, 0.001);
    h.emulator.injectFault({
      kind: "externalUpdate",
      cluster: "demo",
      addon: "coredns",
      addonVersion: "v1.11.3-eksbuild.1",
    });
    const spec = h.spec({ clusterVersion: "1.30" });
    const { plan } = await inspect(h.clients, spec);
    await execute(h.clients, spec, plan, { timeScale: 0.001 });
    assert.ok(
      !h
        .mutating()
        .some(
          (e) =>
            e.addon === "coredns" &&
            (e.params as { addonVersion?: string }).addonVersion === "v1.11.3-eksbuild.1",
        ),
    );
    await converged(h, spec);
  });

  for (const kind of ["controlPlane", "addon", "nodegroup"] as const) {
    it(`stopped in the middle of a ${kind} step: the state is truthful and a re-run converges without repeating`, async () => {
      h = await engineHarness(seed());
      const spec = h.spec({ clusterVersion: "1.30" });
      const controller = new AbortController();
      const onEvent = (e: ProgressEvent) => {
        if (e.type === "stepStarted" && e.step.kind === kind) controller.abort();
      };
      await assert.rejects(run(h, spec, { signal: controller.signal, onEvent }), UpgradeAbortedError);
      await assertTruthful(h);
      await converged(h, spec);
    });
  }

  const refusals: [string, Partial<NonNullable<SeedInput["clusters"]>[number]>, string, string][] = [
    ["the cluster not ACTIVE", { status: "FAILED" }, "EKSUP003", "clusterName"],
    [
      "a DEGRADED node group",
      {
        nodegroups: [
          {
            name: "general",
            version: "1.29",
            status: "DEGRADED",
            healthIssues: [{ code: "AsgInstanceLaunchFailures", message: "no capacity" }],
          },
        ],
      },
      "EKSUP004",
      "nodeGroups.general",
    ],
  ];
  for (const [name, over, code, field] of refusals) {
    it(`${name}: refused before any change`, async () => {
      h = await engineHarness(seed(over));
      const { plan } = await inspect(h.clients, h.spec({ clusterVersion: "1.30" }));
      assert.ok(plan.violations.some((v) => v.code === code && v.field === field));
      assert.deepEqual(h.mutating(), []);
    });
  }

  it("an SSM parameter missing (no AL2 AMI for 1.33): refused, naming the node group and the replacement", async () => {
    h = await engineHarness(
      seed({
        version: "1.32",
        addons: {},
        nodegroups: [{ name: "legacy", amiType: "AL2_x86_64", version: "1.32" }],
      }),
    );
    const { plan } = await inspect(h.clients, h.spec({ clusterVersion: "1.33" }));
    assert.deepEqual(
      plan.violations.map((v) => [v.code, v.field]),
      [["EKSUP008", "nodeGroups.legacy"]],
    );
    assert.match(plan.violations[0]?.remedy ?? "", /AL2023_x86_64_STANDARD or BOTTLEROCKET_x86_64/);
    assert.deepEqual(h.mutating(), []);
  });

  it("the EKS endpoint unreachable: a clear error, nothing changed", async () => {
    const spec = parseSpec({
      clusterName: "demo",
      region: "us-east-1",
      endpoints: { eks: "http://127.0.0.1:9", ssm: "http://127.0.0.1:9" },
      clusterVersion: "1.30",
    });
    const clients = createClients(spec, { maxAttempts: 2 });
    try {
      await assert.rejects(inspect(clients, spec), /ECONNREFUSED/);
    } finally {
      destroyClients(clients);
    }
  });
});

describe("fault matrix, through the provider", () => {
  let h: EngineHarness | undefined;
  let restore: (() => void) | undefined;
  afterEach(async () => {
    await h?.stop();
    restore?.();
    h = undefined;
  });
  const inputs = (over: Record<string, unknown> = {}) => ({
    clusterName: "demo",
    region: "us-east-1",
    endpoints: { eks: h?.emulator.url, ssm: h?.emulator.url },
    clusterVersion: "1.30",
    timeScale: TIME_SCALE,
    __provider: "provider-text",
    ...over,
  });
  type Versions = {
    controlPlane: string;
    nodeGroups: Record<string, { version: string; releaseVersion: string }>;
    addons: Record<string, string>;
  };
  const truthOf = (e: EngineHarness): Versions => {
    const c = e.emulator.state().clusters[0];
    return {
      controlPlane: c?.version ?? "",
      nodeGroups: Object.fromEntries(
        (c?.nodegroups ?? []).map((n) => [n.name, { version: n.version, releaseVersion: n.releaseVersion }]),
      ),
      addons: Object.fromEntries((c?.addons ?? []).map((a) => [a.name, a.version])),
    };
  };
  const strip = (v: Versions) => ({
    controlPlane: v.controlPlane,
    nodeGroups: Object.fromEntries(
      Object.entries(v.nodeGroups).map(([k, n]) => [
        k,
        { version: n.version, releaseVersion: n.releaseVersion },
      ]),
    ),
    addons: v.addons,
  });

  for (const [name, fault] of [
    [
      "control-plane update Failed",
      { kind: "updateFailure", cluster: "demo", errorCode: "ClusterUnreachable" },
    ],
    [
      "PodEvictionFailure",
      { kind: "updateFailure", cluster: "demo", nodegroup: "batch", errorCode: "PodEvictionFailure" },
    ],
    ["throttling on 30% of calls", { kind: "throttle", rate: 0.3, forSeconds: 86_400 }],
  ] as [string, FaultInput][]) {
    it(`${name}: the saved state equals the emulator's, and the next update converges`, async () => {
      restore = withEnv(PROVIDER_ENV);
      h = await engineHarness({ ...seed(), randomSeed: 5 });
      h.emulator.injectFault(fault);
      const deadlines = { controlPlaneMinutes: 1440, addonMinutes: 1440, nodegroupMinutes: 1440 };
      const first = await provider.update?.("us-east-1/demo", inputs(), inputs({ deadlines })).then(
        (r) => r.outs as { versions: Versions },
        (e: { properties: { versions: Versions } }) => e.properties,
      );
      assert.deepEqual(strip(first?.versions as Versions), truthOf(h), "the saved state tells the truth");
      const second = await provider.update?.("us-east-1/demo", inputs(), inputs({ deadlines }));
      const outs = second?.outs as { versions: Versions };
      assert.deepEqual(strip(outs.versions), truthOf(h));
      assert.equal(outs.versions.controlPlane, "1.30");
      assert.ok(Object.values(outs.versions.nodeGroups).every((n) => n.version === "1.30"));
      assertNothingRepeated(h);
    });
  }

  it("the EKS endpoint unreachable: check fails on endpoints.eks with EKSUP205 and the remedy", async () => {
    restore = withEnv(PROVIDER_ENV);
    const result = await provider.check?.(
      {},
      { ...inputs(), endpoints: { eks: "http://127.0.0.1:9", ssm: "http://127.0.0.1:9" } },
    );
    // A nested key goes without a property (Pulumi would frame it "value {<nil>}"); the reason names it.
    assert.equal(result?.failures?.[0]?.property, "");
    assert.match(
      result?.failures?.[0]?.reason ?? "",
      /^EKSUP205 endpoints\.eks: cannot reach EKS in us-east-1 \(endpoint http:\/\/127\.0\.0\.1:9\): ECONNREFUSED.*Check that something serves http:\/\/127\.0\.0\.1:9/,
    );
  });
});
