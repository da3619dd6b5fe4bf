import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { SeedInput } from "../../emulator/src/index";
import { execute, inspect, type Observed, observe, PlanRefusedError } from "../../providers/engine/src/index";
import { type EngineHarness, engineHarness, TIME_SCALE } from "../support/engine";
import { planCase } from "../support/fleet-arbitrary";
import { expectation } from "../support/plan-oracle";

/*
 * Plan + execute against the emulator, on random fleets and asks: EKS ends where the oracle
 * (tests/support/plan-oracle.ts: the spec and the catalog's data, not the plan) says; a refused
 * plan goes through execute and makes no call that changes anything; an accepted one issues one
 * update per step, and planning again gives an accepted, empty plan.
 *
 * Each case runs a real upgrade at the emulator's tiny time scale (~0.2-1 s), so `npm test` runs a
 * few; EKS_UPGRADE_EXECUTE_RUNS raises it (`npm run test:properties` runs 200). The seed is fixed
 * and printed; FC_SEED replays another.
 */

const RUNS = Number(process.env.EKS_UPGRADE_EXECUTE_RUNS ?? 16);
const SEED = Number(process.env.FC_SEED ?? 20261206);

/** The emulator seed for an observed fleet: the same cluster, node groups, add-ons and insights. */
function seedOf(o: Observed): SeedInput {
  return {
    clusters: [
      {
        name: o.cluster.name,
        version: o.cluster.version,
        status: o.cluster.status as "ACTIVE",
        ...(o.cluster.autoMode ? { autoMode: true } : {}),
        addons: Object.fromEntries(o.addons.map((a) => [a.name, a.version])),
        nodegroups: o.nodegroups.map((n) => ({
          name: n.name,
          amiType: n.amiType as "CUSTOM",
          desiredSize: n.desiredSize,
          version: n.version,
          releaseVersion: n.releaseVersion,
          status: n.status as "ACTIVE",
          ...(n.launchTemplate?.version
            ? { launchTemplate: { name: n.launchTemplate.name ?? "lt", version: n.launchTemplate.version } }
            : {}),
        })),
        insights: o.insights.map((i) => ({
          name: i.name,
          kubernetesVersion: i.kubernetesVersion,
          status: i.status as "ERROR",
        })),
      },
    ],
  };
}

/** What runs, in the oracle's terms. */
function running(o: Observed) {
  return {
    cluster: o.cluster.version,
    addons: Object.fromEntries(o.addons.map((a) => [a.name, a.version])),
    nodegroups: Object.fromEntries(
      o.nodegroups.map((n) => [
        n.name,
        n.amiType === "CUSTOM" ? `lt${n.launchTemplate?.version}` : `${n.version} ${n.releaseVersion}`,
      ]),
    ),
  };
}

describe("plan + execute properties (fast-check, the emulator)", () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness({ clusters: [] });
  });
  after(() => h.stop());

  it(`for any fleet and ask: EKS ends where the oracle says, and nothing is left to do (${RUNS} cases, seed ${SEED})`, async (t) => {
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(planCase, async ({ observed: fleetState, spec: input }) => {
        h.emulator.reset({ ...seedOf(fleetState), timeScale: TIME_SCALE });
        const spec = h.spec({ ...input, clusterName: fleetState.cluster.name });
        const { observed, plan } = await inspect(h.clients, spec);
        const want = expectation(observed, input);
        if (plan.violations.length) {
          await assert.rejects(execute(h.clients, spec, plan, { timeScale: TIME_SCALE }), PlanRefusedError);
          assert.deepEqual(h.mutating(), [], "a refused plan makes no mutating call");
          return;
        }
        await execute(h.clients, spec, plan, { timeScale: TIME_SCALE });
        ran++;
        assert.equal(h.mutating().length, plan.steps.length, "one update per step, none repeated");
        const after = running(await observe(h.clients, spec.clusterName));
        assert.equal(after.cluster, spec.clusterVersion);
        const baked = spec.upgrade.bakeHours > 0 && plan.steps.some((s) => s.kind === "controlPlane");
        if (!baked) {
          assert.deepEqual(after.nodegroups, { ...after.nodegroups, ...want.nodegroups });
          assert.deepEqual(after.addons, { ...after.addons, ...want.addons });
        }
        const again = await inspect(h.clients, spec);
        assert.deepEqual(again.plan.violations, [], "planning again is accepted");
        assert.deepEqual(again.plan.steps, [], "planning again finds nothing to do");
      }),
      { numRuns: RUNS, seed: SEED },
    );
    t.diagnostic(`${ran} of ${RUNS} cases ran an upgrade`);
  });
});
