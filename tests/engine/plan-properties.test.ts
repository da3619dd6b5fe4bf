import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type Observed, parseSpec, type Plan, plan, SpecError } from "../../providers/engine/src/index";
import {
  bareCluster,
  CATALOG,
  MINORS,
  NEXT_MINOR,
  type PlanCase,
  planCase,
  target,
} from "../support/fleet-arbitrary";
import {
  addonPosition,
  addonVersionsFor,
  expectation,
  familyOf,
  minorsApart,
  ORACLE_MINORS,
  publishedReleases,
  skewAllowed,
} from "../support/plan-oracle";

/*
 * The planner, proven on random fleets and asks against the real EKS catalog, each checked
 * against an oracle that does not share its code (tests/support/plan-oracle.ts: the skew policy
 * as data, list positions for order, the catalog's minors). A refusal must be justified: every
 * code it reports has its reason in the input, and every reason there is reported; a case with
 * no reason to refuse must be planned. An accepted plan moves the control plane one minor at a
 * time, each node group only behind a control plane it may follow and never beyond the skew
 * policy, canaries first, add-ons only to versions the control plane's minor offers, nothing
 * down, and ends exactly where the oracle says.
 *
 * The seed is fixed and printed; FC_SEED replays another. EKS_UPGRADE_PROPERTY_RUNS raises the
 * number of cases (`npm run test:properties`: 5000).
 */

const RUNS = Number(process.env.EKS_UPGRADE_PROPERTY_RUNS ?? 300);
const SEED = Number(process.env.FC_SEED ?? 20261206);

function planOf({ observed, spec }: PlanCase): Plan {
  return plan(parseSpec(spec), observed, CATALOG);
}

const nodeMinor = (s: string) => s.split(" ")[0] ?? "";

/** Checks one case against the oracle; returns what happened, for the mix. */
function assertAgainstOracle(c: PlanCase): string {
  const p = planOf(c);
  const want = expectation(c.observed, c.spec);
  const codes = new Set(p.violations.map((v) => v.code));
  for (const v of p.violations) {
    assert.ok(
      v.field && v.message && v.remedy,
      `finding without field, message or remedy: ${JSON.stringify(v)}`,
    );
    assert.ok(
      want.required.has(v.code) || want.allowed.has(v.code),
      `${v.code} has no reason in the input: ${v.message}`,
    );
  }
  for (const group of want.oneOf)
    assert.ok(
      group.some((code) => codes.has(code)),
      `one of ${group.join(", ")} is called for`,
    );
  for (const code of want.required)
    assert.ok(
      codes.has(code),
      `${code} is called for, but the plan says ${[...codes].join(", ") || "nothing"}`,
    );
  if (p.violations.length) {
    assert.deepEqual(p.steps, [], "a refused plan has no steps");
    return `refused ${[...codes].sort().join("+")}`;
  }
  assertSound(c, p, want);
  assertAwaits(c, p);
  return p.steps.length ? "planned" : "nothing to do";
}

/** The key a target's findings name, from first principles (the spec's own keys). */
const keyOf = (t: Observed["updatesInProgress"][number]["target"]) =>
  t.kind === "controlPlane"
    ? "clusterVersion"
    : `${t.kind === "nodegroup" ? "nodeGroups" : "addons"}.${t.name}`;

/**
 * An update already running in EKS is named (EKSUP104, on its target's key) and awaited, never
 * planned around: a node group's or an add-on's changes no step (the same plan as without it); the
 * control plane's to the next minor leaves no add-on step before it (they can no longer go first).
 */
function assertAwaits(c: PlanCase, p: Plan): void {
  const running = c.observed.updatesInProgress;
  assert.deepEqual(
    p.warnings.filter((w) => w.code === "EKSUP104").map((w) => w.field),
    running.map((u) => keyOf(u.target)),
    "each update in progress is named on its target's key",
  );
  for (const u of running) {
    if (u.target.kind === "controlPlane") {
      const firstCp = p.steps.findIndex((s) => s.kind === "controlPlane");
      assert.equal(
        p.steps[firstCp]?.to,
        u.params[0]?.value,
        "the first control-plane step is the one running",
      );
      assert.deepEqual(p.steps.slice(0, firstCp), [], "nothing goes before the control-plane update running");
    } else {
      const without = planOf({ ...c, observed: { ...c.observed, updatesInProgress: [] } });
      assert.deepEqual(p.steps, without.steps, `the ${u.target.kind}'s update in progress changes no step`);
    }
  }
}

function assertSound(c: PlanCase, p: Plan, want: ReturnType<typeof expectation>): void {
  const { observed, spec } = c;
  let cp = observed.cluster.version;
  const kubelets = new Map(observed.nodegroups.map((n) => [n.name, n.version]));
  const nodes = new Map(
    observed.nodegroups.map((n) => [
      n.name,
      n.amiType === "CUSTOM" ? `lt${n.launchTemplate?.version}` : `${n.version} ${n.releaseVersion}`,
    ]),
  );
  const addons = new Map(observed.addons.map((a) => [a.name, a.version]));
  const canaries = Object.entries(spec.nodeGroups ?? {})
    .filter(([, n]) => n.canary)
    .map(([name]) => name);
  const finalNodeSteps: string[] = [];
  for (const s of p.steps) {
    if (s.kind === "controlPlane") {
      assert.equal(s.from, cp, `${s.id} starts where the control plane is`);
      assert.equal(
        s.to,
        ORACLE_MINORS[ORACLE_MINORS.indexOf(cp) + 1],
        `${s.id} moves to the next minor EKS offers`,
      );
      cp = s.to;
      for (const [name, v] of kubelets) {
        assert.ok(
          minorsApart(v, cp) <= skewAllowed(v),
          `node group ${name} on ${v} is ${minorsApart(v, cp)} minors behind the control plane's ${cp}`,
        );
      }
    } else if (s.kind === "addon") {
      const offered = addonVersionsFor(s.target, cp);
      assert.ok(offered.includes(s.to), `${s.id}: ${s.to} is offered on ${cp}`);
      assert.ok(addonPosition(s.target, s.to) > addonPosition(s.target, s.from), `${s.id} moves forward`);
      assert.equal(s.from, addons.get(s.target), `${s.id} starts where the add-on is`);
      addons.set(s.target, s.to);
    } else if (s.kind === "nodegroup") {
      const ng = observed.nodegroups.find((n) => n.name === s.target);
      assert.ok(ng, s.id);
      if (ng.amiType === "CUSTOM") {
        nodes.set(s.target, s.to.replace(/^launch template \S+ v/, "lt"));
        finalNodeSteps.push(s.target);
        continue;
      }
      const to = nodeMinor(s.to);
      const release = s.to.split(" ")[1] ?? "";
      assert.ok(minorsApart(to, cp) >= 0, `${s.id}: a kubelet is never newer than the control plane (${cp})`);
      assert.ok(
        minorsApart(nodeMinor(nodes.get(s.target) ?? ""), to) >= 0,
        `${s.id} does not go down a minor`,
      );
      assert.ok(
        publishedReleases(ng.amiType, to).includes(release),
        `${s.id}: ${release} is published for ${to}`,
      );
      if (to === nodeMinor(nodes.get(s.target) ?? "")) {
        const list = publishedReleases(ng.amiType, to);
        const from = nodes.get(s.target)?.split(" ")[1] ?? "";
        assert.ok(list.indexOf(release) > list.indexOf(from), `${s.id}: ${from} -> ${release} moves forward`);
      }
      kubelets.set(s.target, to);
      nodes.set(s.target, s.to);
      if (to === p.to) finalNodeSteps.push(s.target);
    }
  }
  // Canaries go first, in the order given.
  const firstOther = finalNodeSteps.findIndex((n) => !canaries.includes(n));
  const lastCanary = Math.max(-1, ...canaries.map((n) => finalNodeSteps.indexOf(n)));
  assert.ok(
    firstOther < 0 || lastCanary < firstOther,
    `canaries ${canaries.join(", ")} first: ${finalNodeSteps.join(", ")}`,
  );
  assert.equal(cp, p.to, "the control plane ends on the target");
  if (observed.cluster.autoMode && minorsApart(observed.cluster.version, p.to) > 0)
    assert.ok(
      p.warnings.some((w) => w.code === "EKSUP109"),
      "Auto Mode's nodes are named",
    );
  const baked = (spec.upgrade?.bakeHours ?? 0) > 0 && minorsApart(observed.cluster.version, p.to) > 0;
  if (baked) {
    // The bake period holds everything after the last control-plane step for a later run.
    const lastCp = p.steps.map((s) => s.kind).lastIndexOf("controlPlane");
    assert.deepEqual(p.steps.slice(lastCp + 1), [], "nothing after the control plane during the bake");
    return;
  }
  for (const [name, end] of Object.entries(want.nodegroups))
    assert.equal(nodes.get(name), end, `node group ${name} ends on ${end}`);
  for (const [name, end] of Object.entries(want.addons))
    assert.equal(addons.get(name), end, `add-on ${name} ends on ${end}`);
}

describe("planner properties (fast-check, the real catalog, an oracle of its own)", () => {
  it(`every refusal justified, every plan sound and where the oracle says (${RUNS} cases, seed ${SEED})`, (t) => {
    const mix = new Map<string, number>();
    fc.assert(
      fc.property(planCase, (c) => {
        const outcome = assertAgainstOracle(c);
        mix.set(outcome, (mix.get(outcome) ?? 0) + 1);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    const total = [...mix.values()].reduce((a, b) => a + b, 0);
    const planned = mix.get("planned") ?? 0;
    t.diagnostic(
      `mix: ${[...mix]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${Math.round((100 * n) / total)}%`)
        .join(", ")}`,
    );
    // Shrinking re-runs cases; the mix is of the first run only when it passes.
    assert.ok(planned / total > 0.5, `only ${planned} of ${total} cases planned`);
  });

  it("updates in progress (the control plane's, a node group's, an add-on's) appear among the planned cases", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(planCase, (c) => {
        const p = planOf(c);
        if (p.violations.length || !p.steps.length) return;
        for (const u of c.observed.updatesInProgress) seen.add(u.target.kind);
      }),
      { numRuns: Math.max(RUNS, 300), seed: SEED },
    );
    assert.deepEqual([...seen].sort(), ["addon", "controlPlane", "nodegroup"]);
  });

  it("every family, pinned or not, and custom AMIs appear among the planned cases", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(planCase, (c) => {
        const p = planOf(c);
        if (p.violations.length) return;
        for (const s of p.steps.filter((x) => x.kind === "nodegroup")) {
          const ng = c.observed.nodegroups.find((n) => n.name === s.target);
          const pinned = c.spec.nodeGroups?.[s.target]?.amiReleaseVersion;
          seen.add(`${familyOf(ng?.amiType ?? "") ?? "CUSTOM"}${pinned ? " pinned" : ""}`);
        }
      }),
      { numRuns: Math.max(RUNS, 300), seed: SEED },
    );
    for (const kind of [
      "AL2",
      "AL2023",
      "BOTTLEROCKET",
      "WINDOWS",
      "CUSTOM",
      "AL2023 pinned",
      "BOTTLEROCKET pinned",
    ])
      assert.ok(seen.has(kind), `no planned ${kind} node group step: ${[...seen].join(", ")}`);
  });

  it(`any target a user could type: a spec error naming clusterVersion, or a plan the oracle accepts (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(planCase, target, (c, to) => {
        const spec = { ...c.spec, clusterVersion: to as string };
        try {
          parseSpec(spec);
        } catch (e) {
          if (!(e instanceof SpecError)) throw e;
          assert.ok(e.issues.some((i) => i.field === "clusterVersion"));
          return;
        }
        assertAgainstOracle({ ...c, spec });
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("a target the spec accepts but EKS does not offer is refused with EKSUP002, naming it", () => {
    const observed = bareCluster("1.31");
    for (const [to, named] of [
      [NEXT_MINOR, NEXT_MINOR],
      // The target itself is named, not the first gap on the way to it.
      ["1.99", "1.99"],
    ]) {
      const p = planOf({
        observed,
        spec: { clusterName: "c", region: "us-east-1", clusterVersion: to as string },
      });
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
