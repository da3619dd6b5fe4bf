import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { SeedInput } from "../../emulator/src/index";
import {
  execute,
  inspect,
  type Observed,
  observe,
  type Plan,
  SpecError,
} from "../../providers/engine/src/index";
import { type EngineHarness, engineHarness, TIME_SCALE } from "../support/engine";
import { fleet, insightPolicy, MINORS, target } from "../support/fleet-arbitrary";

/*
 * Plan + execute against the emulator, on random fleets and targets: whatever the planner promises
 * is exactly what EKS ends up running. A refused plan makes no mutating call; an accepted one
 * issues one update per step, reaches the planned version of every target, and planning again
 * finds nothing left to do.
 *
 * Each case runs a real upgrade at the emulator's tiny time scale (~0.2-1 s), so `npm test` runs a
 * few; EKS_UPGRADE_EXECUTE_RUNS raises it (`npm run test:properties` runs 200, ~40 s).
 */

const RUNS = Number(process.env.EKS_UPGRADE_EXECUTE_RUNS ?? 16);

/** Mostly minors EKS offers, so most cases run an upgrade; now and then anything at all. */
const reachable = fc.oneof(
  { arbitrary: fc.constantFrom(...MINORS), weight: 8 },
  { arbitrary: target, weight: 1 },
);

/** The emulator seed for an observed fleet: the same cluster, node groups, add-ons and insights. */
function seedOf(o: Observed): SeedInput {
  return {
    clusters: [
      {
        name: o.cluster.name,
        version: o.cluster.version,
        addons: Object.fromEntries(o.addons.map((a) => [a.name, a.version])),
        nodegroups: o.nodegroups.map((n) => ({
          name: n.name,
          amiType: n.amiType as "CUSTOM",
          desiredSize: n.desiredSize,
          version: n.version,
          releaseVersion: n.releaseVersion,
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

/** Where the plan leaves each target: the last step's `to`, or where it runs now. */
function plannedEnd(o: Observed, p: Plan) {
  const last = (kind: string, name: string) =>
    p.steps.filter((s) => s.kind === kind && s.target === name).at(-1);
  return {
    cluster: p.steps.some((s) => s.kind === "controlPlane") ? p.to : o.cluster.version,
    addons: Object.fromEntries(o.addons.map((a) => [a.name, last("addon", a.name)?.to ?? a.version])),
    nodegroups: Object.fromEntries(
      o.nodegroups.map((n) => [n.name, last("nodegroup", n.name)?.to ?? `${n.version} ${n.releaseVersion}`]),
    ),
  };
}

function running(o: Observed): ReturnType<typeof plannedEnd> {
  return {
    cluster: o.cluster.version,
    addons: Object.fromEntries(o.addons.map((a) => [a.name, a.version])),
    nodegroups: Object.fromEntries(o.nodegroups.map((n) => [n.name, `${n.version} ${n.releaseVersion}`])),
  };
}

describe("plan + execute properties (fast-check, the emulator)", () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness({ clusters: [] });
  });
  after(() => h.stop());

  it(`for any fleet and target: EKS ends exactly where the plan says, and nothing is left to do (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(fleet, reachable, insightPolicy, async (fleetState, to, insights) => {
        h.emulator.reset({ ...seedOf(fleetState), timeScale: TIME_SCALE });
        let spec;
        try {
          spec = h.spec({ clusterName: fleetState.cluster.name, clusterVersion: to, upgrade: { insights } });
        } catch (e) {
          if (e instanceof SpecError) return;
          throw e;
        }
        const { observed, plan } = await inspect(h.clients, spec);
        if (plan.violations.length) {
          assert.deepEqual(h.mutating(), [], "a refused plan makes no mutating call");
          return;
        }
        await execute(h.clients, spec, plan, { timeScale: TIME_SCALE });
        assert.equal(h.mutating().length, plan.steps.length, "one update per step, none repeated");
        const after = await observe(h.clients, spec.clusterName);
        assert.deepEqual(running(after), plannedEnd(observed, plan));
        const again = await inspect(h.clients, spec);
        assert.deepEqual(again.plan.lines, [], "planning again finds nothing to do");
      }),
      { numRuns: RUNS },
    );
  });
});
