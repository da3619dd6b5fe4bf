import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import catalogData from "../../emulator/data/eks-catalog.json";
import { AMI_TYPES as EMULATOR_AMI_TYPES, amiFamily as emulatorFamily } from "../../emulator/src/ami-types";
import {
  execute,
  inspect,
  type Observed,
  type Plan,
  parseSpec,
  plan,
  type ResolvedCatalog,
} from "../../providers/engine/src/index";
import { type EngineHarness, engineHarness, TIME_SCALE } from "../support/engine";
import { bareCluster, CATALOG } from "../support/fleet-arbitrary";

/*
 * Never a downgrade, for every AMI family, proven against data. The oracle is the order in which
 * AWS published each family's releases (the catalog's lists, from AWS's release notes, oldest
 * first) or, for synthetic releases, the order the generator built them in; never the engine's
 * comparator. A node group running release i asked for "latest" or a pin to release j gets
 * exactly one step to j when j comes later, nothing when it is the same, and a refusal naming the
 * downgrade when it comes earlier; a release AWS does not publish never gets a step.
 *
 * EKS_UPGRADE_PROPERTY_RUNS and EKS_UPGRADE_EXECUTE_RUNS raise the cases (npm run test:properties).
 */

const RUNS = Number(process.env.EKS_UPGRADE_PROPERTY_RUNS ?? 300);
const EXECUTE_RUNS = Number(process.env.EKS_UPGRADE_EXECUTE_RUNS ?? 16);

type Family = "AL2" | "AL2023" | "BOTTLEROCKET" | "WINDOWS";
const PUBLISHED = (catalogData as { amiReleases: Record<Family, Record<string, string[]>> }).amiReleases;

/** Every AMI type EKS offers, by family (the EKS API's amiType enum as the emulator lists it, less CUSTOM). */
const AMI_TYPES = {} as Record<Family, string[]>;
for (const amiType of EMULATOR_AMI_TYPES) {
  const family = emulatorFamily(amiType);
  if (family) (AMI_TYPES[family] ??= []).push(amiType);
}
const FAMILIES = Object.keys(AMI_TYPES) as Family[];

/** One case: a node group of `amiType` on `minor` running `list[running]`, asked for `pin`. */
interface Case {
  family: Family;
  amiType: string;
  minor: string;
  /** The family's releases for the minor in published order. */
  list: string[];
  running: number;
  pin: "latest" | number;
}

const observedFor = (c: Case): Observed => ({
  ...bareCluster(c.minor),
  nodegroups: [
    {
      name: "ng",
      version: c.minor,
      releaseVersion: c.list[c.running] as string,
      amiType: c.amiType,
      status: "ACTIVE",
      healthIssues: [],
      desiredSize: 2,
    },
  ],
});

/** What resolve finds for the case: the newest is the list's last; a parameter for each release but Windows'. */
const catalogFor = (c: Case): ResolvedCatalog => ({
  ...CATALOG,
  latestReleases: { [`${c.amiType}@${c.minor}`]: c.list.at(-1) ?? null },
  publishedReleases:
    c.family === "WINDOWS"
      ? {}
      : Object.fromEntries(c.list.map((r) => [`${c.amiType}@${c.minor}@${r}`, true])),
});

const pinOf = (c: Case) => (c.pin === "latest" ? "latest" : (c.list[c.pin] as string));

function planCase(c: Case, pin = pinOf(c)): Plan {
  const spec = parseSpec({
    clusterName: "c",
    region: "us-east-1",
    clusterVersion: c.minor,
    nodeGroups: { ng: { amiReleaseVersion: pin } },
  });
  return plan(spec, observedFor(c), catalogFor(c));
}

/** The oracle: list positions only. */
function expected(c: Case): { step?: string; refused?: string } {
  const last = c.list.length - 1;
  const j = c.pin === "latest" ? last : c.pin;
  if (j === c.running) return {};
  if (j < c.running) return c.pin === "latest" ? {} : { refused: "EKSUP006" };
  // Windows: AWS publishes no parameter per release; only the newest (or the running one) is checked.
  if (c.family === "WINDOWS" && j !== last) return { refused: "EKSUP032" };
  return { step: `${c.minor} ${c.list[j]}` };
}

function assertAsExpected(c: Case, p: Plan): void {
  const want = expected(c);
  const label = `${c.amiType} ${c.minor}: runs ${c.list[c.running]}, asks ${pinOf(c)}`;
  if (want.refused) {
    assert.deepEqual(
      p.violations.map((v) => [v.code, v.field]),
      [[want.refused, "nodeGroups.ng.amiReleaseVersion"]],
      label,
    );
    assert.deepEqual(p.steps, [], label);
    return;
  }
  assert.deepEqual(p.violations, [], label);
  assert.deepEqual(
    p.steps.map((s) => [s.id, s.from, s.to]),
    want.step ? [[`nodegroup:ng:${c.minor}`, `${c.minor} ${c.list[c.running]}`, want.step]] : [],
    label,
  );
}

/** Every (AMI type, minor) the catalog publishes releases for. */
const REAL_LISTS = FAMILIES.flatMap((family) =>
  Object.entries(PUBLISHED[family]).flatMap(([minor, list]) =>
    AMI_TYPES[family].map((amiType) => ({ family, amiType, minor, list })),
  ),
);

const caseOn = (base: { family: Family; amiType: string; minor: string; list: string[] }) =>
  fc.record({
    family: fc.constant(base.family),
    amiType: fc.constant(base.amiType),
    minor: fc.constant(base.minor),
    list: fc.constant(base.list),
    running: fc.nat({ max: base.list.length - 1 }),
    pin: fc.oneof(fc.constant("latest" as const), fc.nat({ max: base.list.length - 1 })),
  });

const realCase = fc.constantFrom(...REAL_LISTS).chain(caseOn);

/* Synthetic releases of each family's form, built in increasing order (the oracle). */

const day = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
/** Strictly increasing day numbers. */
const days = (n: number) =>
  fc.array(fc.integer({ min: 1, max: 90 }), { minLength: n, maxLength: n }).map((gaps) => {
    let d = 0;
    return gaps.map((g) => (d += g));
  });
const buildId = fc.oneof(fc.stringMatching(/^[0-9]{8}$/), fc.stringMatching(/^[0-9a-f]{8}$/));

const syntheticList = (family: Family, minor: string): fc.Arbitrary<string[]> =>
  fc.integer({ min: 1, max: 8 }).chain((n) => {
    if (family === "WINDOWS")
      return days(n).map((ds) => ds.map((d) => `${minor}-${day(d).replaceAll("-", ".")}`));
    if (family === "BOTTLEROCKET") {
      // Each next version bumps the patch or the minor (patch back to 0): semver order, any build id.
      return fc
        .tuple(
          fc.integer({ min: 1, max: 70 }),
          fc.array(fc.boolean(), { minLength: n, maxLength: n }),
          fc.array(buildId, { minLength: n, maxLength: n }),
        )
        .map(([start, bumps, ids]) => {
          let [mi, pa] = [start, 0];
          return bumps.map((bumpMinor, i) => {
            if (i > 0) [mi, pa] = bumpMinor ? [mi + 1, 0] : [mi, pa + 1];
            return `1.${mi}.${pa}-${ids[i]}`;
          });
        });
    }
    // Amazon Linux: the patch never goes down (two-digit patches included), the build date always up.
    return fc
      .tuple(
        days(n),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
        fc.nat({ max: 12 }),
      )
      .map(([ds, steps, start]) => {
        let patch = start;
        return ds.map(
          (d, i) => `${minor}.${(patch += i > 0 ? (steps[i] as number) : 0)}-${day(d).replaceAll("-", "")}`,
        );
      });
  });

const syntheticCase = fc
  .constantFrom(...FAMILIES)
  .chain((family) =>
    fc.record({
      family: fc.constant(family),
      amiType: fc.constantFrom(...AMI_TYPES[family]),
      minor: fc.constantFrom(...Object.keys(PUBLISHED[family])),
    }),
  )
  .chain(({ family, amiType, minor }) =>
    syntheticList(family, minor).chain((list) => caseOn({ family, amiType, minor, list })),
  );

describe("AMI release order, every family and minor, against the published data", () => {
  it(`real releases of every AMI type and minor in the catalog (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(realCase, (c) => assertAsExpected(c, planCase(c))),
      { numRuns: RUNS },
    );
  });

  it("every neighbouring pair of every published list, both ways", () => {
    let pairs = 0;
    for (const base of REAL_LISTS) {
      for (let i = 0; i + 1 < base.list.length; i++) {
        for (const [running, pin] of [
          [i, i + 1],
          [i + 1, i],
        ] as const) {
          const c = { ...base, running, pin };
          assertAsExpected(c, planCase(c));
          pairs++;
        }
      }
    }
    assert.ok(pairs > 1000, `${pairs} pairs`);
  });

  it(`synthetic releases of each family's form: all-digit Bottlerocket build ids, two-digit patches, Windows dates (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(syntheticCase, (c) => assertAsExpected(c, planCase(c))),
      { numRuns: RUNS },
    );
  });

  it(`a release AWS does not publish never gets a step (${RUNS} cases)`, () => {
    const unpublished = realCase.chain((c) =>
      fc
        .constantFrom(...c.list)
        .chain((r) =>
          fc.oneof(
            // Another build id, another patch or date: the family's form, not in the list.
            fc.constant(r.replace(/.$/, (ch) => (ch === "0" ? "1" : "0"))),
            fc.constant(r.replace(/^(\d+\.\d+[.-])/, "$1" + "9")),
          ),
        )
        .filter((pin) => !c.list.includes(pin))
        .map((pin) => ({ c, pin })),
    );
    fc.assert(
      fc.property(unpublished, ({ c, pin }) => {
        const p = planCase(c, pin);
        assert.deepEqual(p.steps, [], `${c.amiType} ${c.minor}: ${pin} planned`);
        assert.equal(p.violations.length, 1);
        const v = p.violations[0];
        assert.equal(v?.field, "nodeGroups.ng.amiReleaseVersion");
        assert.ok(["EKSUP006", "EKSUP007", "EKSUP018", "EKSUP032"].includes(v?.code ?? ""), v?.code);
        assert.ok(v?.message.includes(pin), v?.message);
      }),
      { numRuns: RUNS },
    );
  });

  it("counterexamples kept as plain tests", () => {
    const br = PUBLISHED.BOTTLEROCKET["1.34"] as string[];
    // The bug that started this: 1.51.0-47438798 read as the date 4743-87-98, newer than 1.58.0.
    const on158 = {
      family: "BOTTLEROCKET" as const,
      amiType: "BOTTLEROCKET_x86_64",
      minor: "1.34",
      list: br,
    };
    assertAsExpected(
      { ...on158, running: br.indexOf("1.58.0-c5c37032"), pin: "latest" },
      planCase({ ...on158, running: br.indexOf("1.58.0-c5c37032"), pin: "latest" }),
    );
    const p = planCase({
      ...on158,
      running: br.indexOf("1.58.0-c5c37032"),
      pin: br.indexOf("1.51.0-47438798"),
    });
    assert.deepEqual(
      p.violations.map((v) => [v.code, v.message]),
      [["EKSUP006", "node group ng runs 1.58.0-c5c37032; 1.51.0-47438798 would be a downgrade"]],
    );
    // A Bottlerocket minor of two digits orders as a number (1.9.2 < 1.10.0), build ids aside.
    const two = ["1.9.2-99999999", "1.10.0-00000000"];
    const c = { family: "BOTTLEROCKET" as const, amiType: "BOTTLEROCKET_ARM_64", minor: "1.34", list: two };
    assertAsExpected({ ...c, running: 0, pin: 1 }, planCase({ ...c, running: 0, pin: 1 }));
    assertAsExpected({ ...c, running: 1, pin: 0 }, planCase({ ...c, running: 1, pin: 0 }));
    // Amazon Linux: a two-digit patch is newer than a one-digit one (1.31.10 > 1.31.9).
    const al = ["1.31.9-20250201", "1.31.10-20250301"];
    const a = { family: "AL2023" as const, amiType: "AL2023_x86_64_STANDARD", minor: "1.31", list: al };
    assertAsExpected({ ...a, running: 1, pin: 0 }, planCase({ ...a, running: 1, pin: 0 }));
  });

  it("a release of another family's form is EKSUP007 naming how the family writes its releases", () => {
    const cases: [string, string, string, RegExp][] = [
      ["BOTTLEROCKET_x86_64", "1.34", "1.34.9-20260714x", /whose releases read like 1\.58\.0-c5c37032/],
      ["AL2023_x86_64_STANDARD", "1.34", "1.58.0-c5c37032", /whose releases read like 1\.35\.8-20260930/],
      ["AL2023_x86_64_STANDARD", "1.34", "1.34.9-20261399", /whose releases read like 1\.35\.8-20260930/],
      ["WINDOWS_CORE_2022_x86_64", "1.34", "1.34.9-20260714", /whose releases read like 1\.35-2026\.04\.18/],
      ["BOTTLEROCKET_x86_64", "1.34", "1.34-2025.12.15", /whose releases read like 1\.58\.0-c5c37032/],
    ];
    for (const [amiType, minor, pin, form] of cases) {
      const family = FAMILIES.find((f) => AMI_TYPES[f].includes(amiType)) as Family;
      const p = planCase(
        { family, amiType, minor, list: PUBLISHED[family][minor] as string[], running: 0, pin: "latest" },
        pin,
      );
      assert.deepEqual(
        p.violations.map((v) => v.code),
        ["EKSUP007"],
        pin,
      );
      assert.match(p.violations[0]?.message ?? "", form);
    }
  });

  it("a running release that does not read as its family's is EKSUP031, never ordered", () => {
    const list = ["1.34-2025.12.15", "1.34-2026.01.22"];
    const c: Case = {
      family: "WINDOWS",
      amiType: "WINDOWS_CORE_2022_x86_64",
      minor: "1.34",
      list,
      running: 0,
      pin: "latest",
    };
    const o = observedFor(c);
    (o.nodegroups[0] as { releaseVersion: string }).releaseVersion = "1.34-2026.87.98";
    const spec = parseSpec({ clusterName: "c", region: "us-east-1", clusterVersion: "1.34" });
    const p = plan(spec, o, catalogFor(c));
    assert.deepEqual(
      p.violations.map((v) => [v.code, v.field]),
      [["EKSUP031", "nodeGroups.ng"]],
    );
    assert.match(
      p.violations[0]?.message ?? "",
      /1\.34-2026\.87\.98 \(running\) is not a release of the WINDOWS family/,
    );
  });
});

/* Add-on versions: the same rule, the oracle being the catalog's published order of each add-on. */

const ADDON_DATA = (
  catalogData as { addons: Record<string, { version: string; compatibleWith: string[] }[]> }
).addons;

/** Every (add-on, minor) with its versions compatible with that minor, in published order. */
const ADDON_LISTS = ["vpc-cni", "coredns", "kube-proxy"].flatMap((addon) =>
  Object.keys(CATALOG.addonVersions).flatMap((minor) => {
    const list = (ADDON_DATA[addon] ?? [])
      .filter((v) => v.compatibleWith.includes(minor))
      .map((v) => v.version);
    return list.length ? [{ addon, minor, list }] : [];
  }),
);

const addonCase = fc.constantFrom(...ADDON_LISTS).chain((base) =>
  fc.record({
    addon: fc.constant(base.addon),
    minor: fc.constant(base.minor),
    list: fc.constant(base.list),
    running: fc.nat({ max: base.list.length - 1 }),
    pin: fc.oneof(fc.constant("latest" as const), fc.nat({ max: base.list.length - 1 })),
  }),
);

describe("add-on version order, every add-on and minor, against the published data", () => {
  it(`a pin later in the list is reached moving only forward, the same one is nothing, an earlier one EKSUP013 (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(addonCase, (c) => {
        const pin = c.pin === "latest" ? "latest" : (c.list[c.pin] as string);
        const j = c.pin === "latest" ? c.list.length - 1 : c.pin;
        const spec = parseSpec({
          clusterName: "c",
          region: "us-east-1",
          clusterVersion: c.minor,
          addons: { [c.addon]: pin },
        });
        const observed: Observed = {
          ...bareCluster(c.minor),
          addons: [
            { name: c.addon, version: c.list[c.running] as string, status: "ACTIVE", healthIssues: [] },
          ],
        };
        const p = plan(spec, observed, CATALOG);
        const label = `${c.addon} on ${c.minor}: runs ${c.list[c.running]}, asks ${pin}`;
        if (j < c.running && pin !== "latest") {
          assert.deepEqual(
            p.violations.map((v) => [v.code, v.field]),
            [["EKSUP013", `addons.${c.addon}`]],
            label,
          );
          return;
        }
        const steps = p.steps.filter((s) => s.kind === "addon");
        assert.deepEqual(p.violations, [], label);
        if (j <= c.running) {
          // "latest" never moves an add-on back, even when the list's last is older than what runs.
          assert.deepEqual(steps, [], label);
          return;
        }
        assert.ok(steps.length >= 1, label);
        assert.equal(steps.at(-1)?.to, c.list[j], label);
        for (const s of steps)
          assert.ok(c.list.indexOf(s.to) > c.list.indexOf(s.from), `${label}: ${s.from} -> ${s.to}`);
        if (c.addon !== "vpc-cni") assert.equal(steps.length, 1, label);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("the emulator agrees after apply (plan + execute against its data)", () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness({ clusters: [] });
  });
  after(() => h.stop());

  it(`a node group ends on the release the published order says, one update or none (${EXECUTE_RUNS} cases)`, async () => {
    // The runnable ones: a refusal is checked above, here what EKS ends up running.
    const runnable = realCase.filter((c) => !expected(c).refused);
    await fc.assert(
      fc.asyncProperty(runnable, async (c) => {
        h.emulator.reset({
          timeScale: TIME_SCALE,
          clusters: [
            {
              name: "demo",
              version: c.minor,
              addons: {},
              nodegroups: [
                {
                  name: "ng",
                  amiType: c.amiType as "CUSTOM",
                  version: c.minor,
                  releaseVersion: c.list[c.running],
                },
              ],
            },
          ],
        });
        const spec = h.spec({ clusterVersion: c.minor, nodeGroups: { ng: { amiReleaseVersion: pinOf(c) } } });
        const { plan: p } = await inspect(h.clients, spec);
        assert.deepEqual(p.violations, []);
        await execute(h.clients, spec, p, { timeScale: TIME_SCALE });
        const want = expected(c).step ?? `${c.minor} ${c.list[c.running]}`;
        const ng = h.emulator.state().clusters[0]?.nodegroups[0];
        assert.equal(`${ng?.version} ${ng?.releaseVersion}`, want);
        assert.equal(h.mutating().length, expected(c).step ? 1 : 0);
      }),
      { numRuns: EXECUTE_RUNS },
    );
  });
});
