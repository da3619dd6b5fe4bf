import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import catalogData from "../../emulator/data/eks-catalog.json";
import {
  type Observed,
  type Plan,
  parseSpec,
  plan,
  type ResolvedCatalog,
  SpecError,
} from "../../providers/engine/src/index";
import { amiFamily } from "../../providers/engine/src/ami";
import {
  addMinor,
  allowedKubeletSkew,
  compareAddonVersions,
  compareMinor,
  compareReleases,
  minorDistance,
  parseAddonVersion,
} from "../../providers/engine/src/versions";

/*
 * The planner, proven on random fleets and targets against the real EKS catalog: it always answers
 * (a plan or violations), never moves anything down, steps the control plane one minor at a time,
 * keeps every kubelet within the skew policy at every point, and moves add-ons only to versions the
 * control plane's minor at that point offers (vpc-cni one minor version at a time).
 *
 * EKS_UPGRADE_PROPERTY_RUNS raises the number of cases: `npm run test:properties` runs 5000 (~2 s).
 */

const RUNS = Number(process.env.EKS_UPGRADE_PROPERTY_RUNS ?? 150);

interface CatalogAddon {
  version: string;
  compatibleWith: string[];
  defaultFor: string[];
}
const data = catalogData as unknown as {
  kubernetesVersions: { version: string }[];
  addons: Record<string, CatalogAddon[]>;
  amiReleases: Record<string, Record<string, string[]>>;
};
const MINORS = data.kubernetesVersions.map((k) => k.version);
const ADDONS = ["vpc-cni", "coredns", "kube-proxy"];
const AMI_TYPES = ["AL2023_x86_64_STANDARD", "AL2_x86_64", "BOTTLEROCKET_x86_64", "CUSTOM"];

/** What resolve would find for these minors: the catalog's add-on versions and newest releases. */
function resolvedCatalog(): ResolvedCatalog {
  const addonVersions: ResolvedCatalog["addonVersions"] = {};
  const latestReleases: ResolvedCatalog["latestReleases"] = {};
  for (const minor of MINORS) {
    addonVersions[minor] = {};
    for (const addon of ADDONS) {
      addonVersions[minor][addon] = (data.addons[addon] ?? [])
        .filter((v) => v.compatibleWith.includes(minor))
        .map((v) => ({ version: v.version, isDefault: v.defaultFor.includes(minor) }))
        .sort((a, b) => compareAddonVersions(b.version, a.version));
    }
    for (const amiType of AMI_TYPES) {
      const family = amiFamily(amiType);
      if (family) latestReleases[`${amiType}@${minor}`] = data.amiReleases[family]?.[minor]?.at(-1) ?? null;
    }
  }
  return { offeredMinors: MINORS, addonVersions, latestReleases };
}
const CATALOG = resolvedCatalog();

const releasesOf = (amiType: string, minor: string) => {
  const family = amiFamily(amiType);
  return family ? (data.amiReleases[family]?.[minor] ?? []) : [];
};

/** A random cluster: control plane on a catalog minor, node groups 0-3 minors behind, add-ons at versions it offers. */
const fleet = fc
  .constantFrom(...MINORS.filter((m) => compareMinor(m, "1.35") < 0))
  .chain((cp) =>
    fc.record({
      cp: fc.constant(cp),
      nodegroups: fc.uniqueArray(
        fc.record({
          name: fc.constantFrom("general", "arm", "batch", "legacy", "custom"),
          amiType: fc.constantFrom(...AMI_TYPES),
          behind: fc.integer({ min: 0, max: 3 }),
          pick: fc.nat(),
        }),
        { selector: (n) => n.name, maxLength: 4 },
      ),
      addons: fc.uniqueArray(fc.record({ name: fc.constantFrom(...ADDONS), pick: fc.nat() }), {
        selector: (a) => a.name,
      }),
      insights: fc.array(
        fc.record({
          ahead: fc.integer({ min: 1, max: 3 }),
          status: fc.constantFrom("PASSING", "WARNING", "ERROR"),
        }),
        { maxLength: 2 },
      ),
    }),
  )
  .map(({ cp, nodegroups, addons, insights }): Observed => {
    const first = MINORS[0] ?? cp;
    return {
      cluster: { name: "c", version: cp, platformVersion: "eks.1", status: "ACTIVE", healthIssues: [] },
      nodegroups: nodegroups.flatMap((n) => {
        let version = addMinor(cp, -n.behind);
        if (compareMinor(version, first) < 0) version = first;
        const custom = n.amiType === "CUSTOM";
        const releases = releasesOf(n.amiType, version);
        if (!custom && !releases.length) return [];
        return [
          {
            name: n.name,
            version,
            releaseVersion: custom ? "ami-0123456789abcdef0" : (releases[n.pick % releases.length] ?? ""),
            amiType: n.amiType,
            status: "ACTIVE",
            healthIssues: [],
            desiredSize: 2,
            ...(custom ? { launchTemplate: { name: "lt", id: "lt-1", version: "3" } } : {}),
          },
        ];
      }),
      addons: addons.flatMap((a) => {
        const offered = CATALOG.addonVersions[cp]?.[a.name] ?? [];
        const v = offered[a.pick % Math.max(1, offered.length)];
        return v ? [{ name: a.name, version: v.version, status: "ACTIVE", healthIssues: [] }] : [];
      }),
      insights: insights.map((i, n) => ({
        id: `i${n}`,
        name: `insight ${n}`,
        kubernetesVersion: addMinor(cp, i.ahead),
        status: i.status,
        category: "UPGRADE_READINESS",
        reason: "",
      })),
      updatesInProgress: [],
    };
  });

/** Targets: every minor around the catalog, and nonsense a user could type. */
const target = fc.oneof(
  { arbitrary: fc.constantFrom(...MINORS, "1.27", "1.36", "1.99"), weight: 6 },
  {
    arbitrary: fc.constantFrom("2.0", "2.31", "1.999999", "1.3", "v1.31", "1.31.2", "", "latest"),
    weight: 1,
  },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
);

const insightPolicy = fc.constantFrom<"block" | "warn">("block", "warn");

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
      if (to === from && rf && rt) assert.ok(compareReleases(rt, rf) > 0, `${s.id} moves to a newer release`);
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
    const observed: Observed = {
      cluster: { name: "c", version: "1.31", platformVersion: "eks.1", status: "ACTIVE", healthIssues: [] },
      nodegroups: [],
      addons: [],
      insights: [],
      updatesInProgress: [],
    };
    for (const [to, named] of [
      ["1.36", "1.36"],
      ["1.99", "1.36, on the way from 1.31 to 1.99"],
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
