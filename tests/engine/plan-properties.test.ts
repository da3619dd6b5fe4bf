import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type Observed, type Plan, parseSpec, plan, SpecError } from "../../providers/engine/src/index";
import {
  addMinor,
  allowedKubeletSkew,
  compareAddonVersions,
  compareMinor,
  minorDistance,
  parseAddonVersion,
} from "../../providers/engine/src/versions";
import { compareReleases } from "../../providers/engine/src/releases";
import {
  bareCluster,
  CATALOG,
  fleet,
  insightPolicy,
  MINORS,
  NEXT_MINOR,
  target,
} from "../support/fleet-arbitrary";

/*
 * The planner, proven on random fleets and targets against the real EKS catalog: it always answers
 * (a plan or violations), never moves anything down, steps the control plane one minor at a time,
 * keeps every kubelet within the skew policy at every point, and moves add-ons only to versions the
 * control plane's minor at that point offers (vpc-cni one minor version at a time).
 *
 * EKS_UPGRADE_PROPERTY_RUNS raises the number of cases: `npm run test:properties` runs 5000 (~2 s).
 */

const RUNS = Number(process.env.EKS_UPGRADE_PROPERTY_RUNS ?? 150);

/** Runs the planner as the engine does: the spec first (which may refuse the target), then plan. */
function planFor(observed: Observed, to: string, insights: "block" | "warn"): Plan | SpecError {
  try {
    const spec = parseSpec({
      clusterName: "c",
      region: "us-east-1",
      clusterVersion: to,
      upgrade: { insights },
    });
    return plan(spec, observed, CATALOG);
  } catch (e) {
    if (e instanceof SpecError) return e;
    throw e;
  }
}

const nodeMinor = (s: string) => s.split(" ")[0] ?? "";
const nodeRelease = (s: string) => s.split(" ")[1] ?? "";

/** Checks every property of one plan; throws an AssertionError naming the first one broken. */
function assertSound(observed: Observed, p: Plan): void {
  for (const w of p.warnings) {
    assert.match(w.code, /^EKSUP1\d\d$/);
    assert.ok(
      w.field && w.message && w.remedy,
      `warning without field, message or remedy: ${JSON.stringify(w)}`,
    );
  }
  for (const v of p.violations) {
    assert.match(v.code, /^EKSUP0\d\d$/);
    assert.ok(
      v.field && v.message && v.remedy,
      `finding without field, message or remedy: ${JSON.stringify(v)}`,
    );
  }
  if (p.violations.length) {
    assert.deepEqual(p.steps, [], "a refused plan has no steps");
    return;
  }
  let cp = observed.cluster.version;
  const kubelets = new Map(observed.nodegroups.map((n) => [n.name, n.version]));
  for (const s of p.steps) {
    if (s.kind === "controlPlane") {
      assert.equal(s.from, cp, `${s.id} starts where the control plane is`);
      assert.equal(s.to, addMinor(cp, 1), `${s.id} moves one minor`);
      cp = s.to;
      for (const [name, v] of kubelets) {
        assert.ok(
          minorDistance(v, cp) <= allowedKubeletSkew(v),
          `node group ${name} on ${v} is too far behind the control plane's ${cp}`,
        );
      }
    } else if (s.kind === "addon") {
      assert.ok(compareAddonVersions(s.to, s.from) > 0, `${s.id} moves up: ${s.from} -> ${s.to}`);
      const offered = CATALOG.addonVersions[cp]?.[s.target]?.map((v) => v.version) ?? [];
      assert.ok(offered.includes(s.to), `${s.id}: ${s.to} is offered on ${cp}`);
      if (s.target === "vpc-cni") {
        const [a, b] = [parseAddonVersion(s.from), parseAddonVersion(s.to)];
        assert.ok(
          a && b && b.major === a.major && b.minor - a.minor <= 1,
          `${s.id}: vpc-cni one minor at a time`,
        );
      }
    } else if (s.kind === "nodegroup") {
      const from = nodeMinor(s.from);
      const to = nodeMinor(s.to);
      assert.ok(compareMinor(to, from) >= 0, `${s.id} does not go down a minor`);
      assert.ok(compareMinor(to, cp) <= 0, `${s.id}: a kubelet is never newer than the control plane`);
      const [rf, rt] = [nodeRelease(s.from), nodeRelease(s.to)];
      if (to === from && rf && rt)
        assert.ok(
          (compareReleases(observed.nodegroups.find((n) => n.name === s.target)?.amiType ?? "", rt, rf) ??
            0) > 0,
          `${s.id} moves to a newer release`,
        );
      kubelets.set(s.target, to);
    }
  }
  assert.equal(cp, p.to, "the control plane ends on the target");
}

describe("planner properties (fast-check, the real catalog)", () => {
  it(`for any fleet and any target: a plan or refusals, in bounded time, and every plan is sound (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fleet, target, insightPolicy, (observed, to, insights) => {
        const result = planFor(observed, to, insights);
        if (result instanceof SpecError) {
          assert.ok(result.issues.some((i) => i.field === "clusterVersion"));
          return;
        }
        assertSound(observed, result);
      }),
      { numRuns: RUNS },
    );
  });

  it("a target the spec accepts but EKS does not offer is refused with EKSUP002, naming it", () => {
    const observed = bareCluster("1.31");
    for (const [to, named] of [
      [NEXT_MINOR, NEXT_MINOR],
      ["1.99", `${NEXT_MINOR}, on the way from 1.31 to 1.99`],
    ]) {
      const p = planFor(observed, to ?? "", "block");
      assert.ok(!(p instanceof SpecError));
      assert.deepEqual(
        p.violations.map((v) => [v.code, v.field, v.message]),
        [
          [
            "EKSUP002",
            "clusterVersion",
            `EKS does not offer Kubernetes ${named} (offered: ${MINORS.join(", ")})`,
          ],
        ],
      );
    }
  });
});
