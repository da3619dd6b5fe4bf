import fc from "fast-check";
import catalogData from "../../emulator/data/eks-catalog.json";
import type { DesiredSpecInput, Observed, ResolvedCatalog } from "../../providers/engine/src/index";
import type { Target } from "../../providers/engine/src/model";
import { familyOf as amiFamily, minorsApart, skewAllowed } from "./plan-oracle";
import { addMinor } from "../../providers/engine/src/versions";

/**
 * Random fleets and targets on the real EKS catalog, for the planner's properties: the pure ones
 * (tests/engine/plan-properties.test.ts) and plan + execute against the emulator
 * (tests/engine/execute-properties.test.ts).
 */

interface CatalogAddon {
  version: string;
  compatibleWith: string[];
  defaultFor: string[];
}
const data = catalogData as unknown as {
  kubernetesVersions: {
    version: string;
    releasedOn: string;
    endOfStandardSupport: string;
    endOfExtendedSupport: string;
  }[];
  addons: Record<string, CatalogAddon[]>;
  amiReleases: Record<string, Record<string, string[]>>;
};
export const MINORS = data.kubernetesVersions.map((k) => k.version);
/** The first minor past the catalog: a well-formed target EKS does not offer. */
export const NEXT_MINOR = addMinor(MINORS.at(-1) ?? "1.35", 1);
export const ADDONS = ["vpc-cni", "coredns", "kube-proxy"];
/** What users run: every AMI family, x86 and arm, standard and GPU, and custom AMIs. */
export const AMI_TYPES = [
  "AL2023_x86_64_STANDARD",
  "AL2023_ARM_64_STANDARD",
  "AL2023_x86_64_NVIDIA",
  "AL2_x86_64",
  "AL2_ARM_64",
  "BOTTLEROCKET_x86_64",
  "BOTTLEROCKET_ARM_64_NVIDIA",
  "WINDOWS_CORE_2022_x86_64",
  "CUSTOM",
];

/** The day the fleets are observed: support statuses are as EKS reported them then. */
export const OBSERVED_AT = Date.parse("2026-12-02T12:00:00Z");

/** An ACTIVE cluster on `version` with nothing else, observed on OBSERVED_AT. */
export function bareCluster(version: string, supportType: "STANDARD" | "EXTENDED" = "EXTENDED"): Observed {
  return {
    cluster: {
      name: "c",
      version,
      platformVersion: "eks.1",
      status: "ACTIVE",
      healthIssues: [],
      supportType,
      autoMode: false,
    },
    observedAt: OBSERVED_AT,
    nodegroups: [],
    addons: [],
    insights: [],
    updatesInProgress: [],
  };
}

/** What resolve would find for these minors: support windows, add-on versions and newest releases. */
function resolvedCatalog(): ResolvedCatalog {
  const addonVersions: ResolvedCatalog["addonVersions"] = {};
  const latestReleases: ResolvedCatalog["latestReleases"] = {};
  const publishedReleases: ResolvedCatalog["publishedReleases"] = {};
  for (const minor of MINORS) {
    addonVersions[minor] = {};
    for (const addon of ADDONS) {
      // Newest first, as resolve gives them: the catalog's published order, reversed.
      addonVersions[minor][addon] = (data.addons[addon] ?? [])
        .filter((v) => v.compatibleWith.includes(minor))
        .map((v) => ({ version: v.version, isDefault: v.defaultFor.includes(minor) }))
        .reverse();
    }
    for (const amiType of AMI_TYPES) {
      const family = amiFamily(amiType);
      if (!family) continue;
      const releases = data.amiReleases[family]?.[minor] ?? [];
      latestReleases[`${amiType}@${minor}`] = releases.at(-1) ?? null;
      // AWS publishes a parameter for each release, except Windows'.
      if (family !== "WINDOWS")
        for (const r of releases) publishedReleases[`${amiType}@${minor}@${r}`] = true;
    }
  }
  const kubernetesVersions = data.kubernetesVersions.map((k) => ({
    minor: k.version,
    status:
      OBSERVED_AT < Date.parse(k.endOfStandardSupport)
        ? "STANDARD_SUPPORT"
        : OBSERVED_AT < Date.parse(k.endOfExtendedSupport)
          ? "EXTENDED_SUPPORT"
          : "UNSUPPORTED",
    releaseDate: k.releasedOn,
    endOfStandardSupport: k.endOfStandardSupport,
    endOfExtendedSupport: k.endOfExtendedSupport,
  }));
  return { kubernetesVersions, addonVersions, latestReleases, publishedReleases };
}
export const CATALOG = resolvedCatalog();

/** The releases the catalog publishes for an AMI type and minor, oldest first. */
export const releasesOf = (amiType: string, minor: string) => {
  const family = amiFamily(amiType);
  return family ? (data.amiReleases[family]?.[minor] ?? []) : [];
};

/** Targets: every minor around the catalog, and nonsense a user could type. */
export const target = fc.oneof(
  { arbitrary: fc.constantFrom(...MINORS, addMinor(MINORS[0] ?? "1.28", -1), NEXT_MINOR, "1.99"), weight: 6 },
  {
    arbitrary: fc.constantFrom("2.0", "2.31", "1.999999", "1.3", "v1.31", "1.31.2", "", "latest"),
    weight: 1,
  },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
);

/** What ERROR insights do: block the plan, or only warn (the control-plane step is then forced). */
export const insightPolicy = fc.constantFrom<"block" | "warn">("block", "warn");

/** A fleet and the spec asked of it: what the planner's and the executor's properties run on. */
export interface PlanCase {
  observed: Observed;
  spec: DesiredSpecInput;
}

const pickFrom = <T>(list: T[], n: number): T | undefined => list[n % Math.max(1, list.length)];

/**
 * Fleets with what users ask of them, biased so that most cases plan: targets from the running
 * minor up to three ahead (now and then below it, or one EKS does not offer); node groups of every
 * family (and custom AMIs with or without a launch template version), some pinned to a release of
 * the target minor (some older than what runs), some canaries; add-ons on default, latest or a
 * version of the target; now and then a cluster that is not ACTIVE, a DEGRADED node group, an
 * ERROR insight, Auto Mode, a bake period, an update already in progress (the control plane's
 * to the next minor, a node group's, an add-on's), or a Karpenter NodePool behind.
 */
export const planCase: fc.Arbitrary<PlanCase> = fc
  .constantFrom(...MINORS.slice(0, -1))
  .chain((cp) =>
    fc.record({
      cp: fc.constant(cp),
      ahead: fc.oneof(
        { arbitrary: fc.integer({ min: 0, max: 3 }), weight: 24 },
        { arbitrary: fc.constant(-1), weight: 1 },
        { arbitrary: fc.constant(99), weight: 1 },
      ),
      status: fc.oneof(
        { arbitrary: fc.constant("ACTIVE"), weight: 20 },
        { arbitrary: fc.constantFrom("FAILED", "UPDATING"), weight: 1 },
      ),
      autoMode: fc.oneof(
        { arbitrary: fc.constant(false), weight: 4 },
        { arbitrary: fc.constant(true), weight: 1 },
      ),
      bakeHours: fc.oneof(
        { arbitrary: fc.constant(0), weight: 6 },
        { arbitrary: fc.constant(24), weight: 1 },
      ),
      insights: insightPolicy,
      nodegroups: fc.uniqueArray(
        fc.record({
          name: fc.constantFrom("general", "arm", "gpu", "rocket", "win", "legacy", "custom"),
          // Mostly what runs today (AL2023, Bottlerocket); AL2 (gone after 1.32) and Windows now and then.
          amiType: fc.oneof(
            {
              arbitrary: fc.constantFrom(...AMI_TYPES.filter((t) => /^(AL2023|BOTTLEROCKET)/.test(t))),
              weight: 6,
            },
            {
              arbitrary: fc.constantFrom(...AMI_TYPES.filter((t) => !/^(AL2023|BOTTLEROCKET)/.test(t))),
              weight: 2,
            },
          ),
          behind: fc.integer({ min: 0, max: 3 }),
          pick: fc.nat(),
          pin: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.nat(), weight: 2 }),
          lt: fc.oneof(
            { arbitrary: fc.constant(undefined), weight: 1 },
            { arbitrary: fc.integer({ min: 4, max: 5 }), weight: 3 },
          ),
          canary: fc.oneof(
            { arbitrary: fc.constant(false), weight: 3 },
            { arbitrary: fc.constant(true), weight: 1 },
          ),
          degraded: fc.oneof(
            { arbitrary: fc.constant(false), weight: 30 },
            { arbitrary: fc.constant(true), weight: 1 },
          ),
        }),
        { selector: (n) => n.name, maxLength: 4 },
      ),
      addons: fc.uniqueArray(
        fc.record({
          name: fc.constantFrom(...ADDONS),
          pick: fc.nat(),
          // A pin: mostly one of the newest three at the target (newer than what runs), now and then any.
          want: fc.oneof(
            { arbitrary: fc.constantFrom("default", "latest"), weight: 4 },
            { arbitrary: fc.nat({ max: 2 }), weight: 3 },
            { arbitrary: fc.nat(), weight: 1 },
          ),
        }),
        { selector: (a) => a.name },
      ),
      errorAt: fc.oneof(
        { arbitrary: fc.constant(0), weight: 8 },
        { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 1 },
      ),
      // A Karpenter NodePool this many minors behind the control plane (nodes the tool does not move).
      karpenterBehind: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 5 },
        { arbitrary: fc.integer({ min: 0, max: 3 }), weight: 1 },
      ),
      // An update already running in EKS (another run's, or one this tool left when stopped).
      inProgress: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 6 },
        { arbitrary: fc.constantFrom("controlPlane", "nodegroup", "addon"), weight: 1 },
      ),
    }),
  )
  .map((c): PlanCase => {
    const i = MINORS.indexOf(c.cp);
    const to = c.ahead === 99 ? NEXT_MINOR : (MINORS[Math.min(i + c.ahead, MINORS.length - 1)] ?? c.cp);
    const nodegroups: Observed["nodegroups"] = [];
    const ngSpec: NonNullable<DesiredSpecInput["nodeGroups"]> = {};
    for (const n of c.nodegroups) {
      const version = MINORS[Math.max(0, i - n.behind)] ?? c.cp;
      const custom = n.amiType === "CUSTOM";
      const releases = releasesOf(n.amiType, version);
      if (!custom && !releases.length) continue;
      nodegroups.push({
        name: n.name,
        version,
        releaseVersion: custom ? "ami-0123456789abcdef0" : (pickFrom(releases, n.pick) as string),
        amiType: n.amiType,
        status: n.degraded ? "DEGRADED" : "ACTIVE",
        healthIssues: [],
        desiredSize: 2,
        ...(custom ? { launchTemplate: { name: "lt", id: "lt-1", version: "3" } } : {}),
      });
      const pinned = n.pin === undefined || custom ? undefined : pickFrom(releasesOf(n.amiType, to), n.pin);
      ngSpec[n.name] = {
        ...(pinned ? { amiReleaseVersion: pinned } : {}),
        ...(custom && n.lt ? { launchTemplateVersion: String(n.lt) } : {}),
        ...(n.canary ? { canary: true } : {}),
      };
    }
    const addons: Observed["addons"] = [];
    const addonSpec: Record<string, string> = {};
    for (const a of c.addons) {
      const offered = CATALOG.addonVersions[c.cp]?.[a.name] ?? [];
      const v = pickFrom(offered, a.pick);
      if (!v) continue;
      addons.push({ name: a.name, version: v.version, status: "ACTIVE", healthIssues: [] });
      const atTarget = CATALOG.addonVersions[to]?.[a.name] ?? [];
      addonSpec[a.name] =
        typeof a.want === "string" ? a.want : (pickFrom(atTarget, a.want)?.version ?? "default");
    }
    const errorMinor = c.errorAt ? MINORS[i + c.errorAt] : undefined;
    // As EKS shows them: a control-plane update to the next minor leaves the cluster UPDATING.
    const updatesInProgress: Observed["updatesInProgress"] = [];
    const next = MINORS[i + 1];
    const ng = nodegroups[0];
    const addon = addons[0];
    let status = c.status;
    // Only a state EKS can be in: it starts a control-plane update only while every kubelet stays
    // within the skew policy of the next minor (its upgrade-readiness check).
    const withinSkew = (minor: string) =>
      nodegroups.every((n) => minorsApart(n.version, minor) <= skewAllowed(n.version));
    const running = (id: string, target: Target, type: string, param: [string, string]) =>
      updatesInProgress.push({
        id,
        target,
        type,
        status: "InProgress",
        params: [{ type: param[0], value: param[1] }],
      });
    // (A target ahead is past the running minor: cp is never the catalog's last.)
    if (c.inProgress === "controlPlane" && c.ahead > 0 && c.ahead !== 99 && next && withinSkew(next)) {
      status = "UPDATING";
      running("u-cp", { kind: "controlPlane" }, "VersionUpdate", ["Version", next]);
    } else if (c.inProgress === "nodegroup" && ng) {
      running("u-ng", { kind: "nodegroup", name: ng.name }, "VersionUpdate", ["Version", ng.version]);
    } else if (c.inProgress === "addon" && addon) {
      running("u-addon", { kind: "addon", name: addon.name }, "AddonUpdate", ["AddonVersion", addon.version]);
    }
    return {
      observed: {
        ...bareCluster(c.cp),
        cluster: { ...bareCluster(c.cp).cluster, status, autoMode: c.autoMode },
        nodegroups,
        addons,
        updatesInProgress,
        ...(c.karpenterBehind === undefined
          ? {}
          : {
              kubernetes: {
                nodes: [
                  {
                    name: "ip-10-0-9-9.ec2.internal",
                    pool: { kind: "karpenter", name: "default" },
                    kubeletVersion: `v${MINORS[Math.max(0, i - c.karpenterBehind)]}.4-eks-1a2b3c4`,
                    ready: true,
                    unschedulable: false,
                    draining: false,
                  },
                ],
                pods: [],
                budgets: [],
              },
            }),
        insights: errorMinor
          ? [
              {
                id: "e",
                name: "an ERROR insight",
                kubernetesVersion: errorMinor,
                status: "ERROR",
                category: "UPGRADE_READINESS",
                reason: "",
              },
            ]
          : [],
      },
      spec: {
        clusterName: "c",
        region: "us-east-1",
        clusterVersion: to,
        nodeGroups: ngSpec,
        addons: addonSpec,
        upgrade: { insights: c.insights, bakeHours: c.bakeHours },
      },
    };
  });
