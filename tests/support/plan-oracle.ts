import catalogData from "../../emulator/data/eks-catalog.json";
import type { DesiredSpecInput, Observed } from "../../providers/engine/src/index";

/*
 * What a plan must do, worked out from first principles and the catalog's data, never from the
 * engine's code: the Kubernetes version-skew policy written here as data, list positions for
 * "older" and "newer", the catalog's minors for "one minor at a time". The planner's property
 * suites check the planner against it.
 */

type Family = "AL2" | "AL2023" | "BOTTLEROCKET" | "WINDOWS";
interface AddonData {
  version: string;
  compatibleWith: string[];
  defaultFor: string[];
}
const data = catalogData as unknown as {
  kubernetesVersions: { version: string }[];
  addons: Record<string, AddonData[]>;
  amiReleases: Record<Family, Record<string, string[]>>;
};

/** EKS's minors, oldest first: "the next minor" is the next entry. */
export const ORACLE_MINORS = data.kubernetesVersions.map((k) => k.version);
const position = (minor: string) => ORACLE_MINORS.indexOf(minor);

/**
 * The Kubernetes version-skew policy (kubernetes.io/releases/version-skew-policy): a kubelet may
 * be up to three minors older than the API server from kubelet 1.25 on, two before.
 */
const SKEW_POLICY = [
  { fromKubelet: "1.25", minorsBehind: 3 },
  { fromKubelet: "1.0", minorsBehind: 2 },
];
export function skewAllowed(kubelet: string): number {
  const [, minor] = kubelet.split(".").map(Number);
  const rule = SKEW_POLICY.find((r) => (minor ?? 0) >= Number(r.fromKubelet.split(".")[1]));
  return rule?.minorsBehind ?? 2;
}
/** Minors between two catalog minors, counted in the catalog. */
export const minorsApart = (from: string, to: string) => position(to) - position(from);

/** The AMI family of an AMI type, from its documented prefix (EKS API's amiType enum). */
export function familyOf(amiType: string): Family | undefined {
  if (amiType.startsWith("AL2023_")) return "AL2023";
  if (amiType.startsWith("AL2_")) return "AL2";
  if (amiType.startsWith("BOTTLEROCKET_")) return "BOTTLEROCKET";
  if (amiType.startsWith("WINDOWS_")) return "WINDOWS";
  return undefined;
}

export const publishedReleases = (amiType: string, minor: string): string[] => {
  const family = familyOf(amiType);
  return family ? (data.amiReleases[family][minor] ?? []) : [];
};

/** An add-on's versions compatible with a minor, in published (oldest first) order. */
export const addonVersionsFor = (addon: string, minor: string): string[] =>
  (data.addons[addon] ?? []).filter((v) => v.compatibleWith.includes(minor)).map((v) => v.version);
export const addonDefault = (addon: string, minor: string): string | undefined =>
  (data.addons[addon] ?? []).find((v) => v.defaultFor.includes(minor))?.version;
/** Position in the add-on's published list (its order of release). */
export const addonPosition = (addon: string, version: string) =>
  (data.addons[addon] ?? []).findIndex((v) => v.version === version);

export interface Expectation {
  /** Codes the plan must report (a reason to refuse holds in the input). */
  required: Set<string>;
  /** Codes it may report besides (reasons this oracle does not model exactly). */
  allowed: Set<string>;
  /** Groups of codes of which the plan must report at least one (one reason, several ways to say it). */
  oneOf: string[][];
  /** Where each node group must end when the plan is accepted: "<minor> <release>" or "lt<version>". */
  nodegroups: Record<string, string>;
  /** Where each add-on must end. */
  addons: Record<string, string>;
}

/**
 * The refusals the input calls for and, when there are none, where everything must end. The
 * planner stops at a lowered or unknown target before looking at anything but the cluster's health.
 */
export function expectation(observed: Observed, spec: DesiredSpecInput): Expectation {
  const required = new Set<string>();
  const allowed = new Set<string>();
  const out: Expectation = { required, allowed, oneOf: [], nodegroups: {}, addons: {} };
  const cp = observed.cluster.version;
  const to = String(spec.clusterVersion ?? cp);
  // EKS shows a cluster UPDATING while its control-plane update runs: a run resumes it (awaits it).
  const resuming =
    observed.cluster.status === "UPDATING" &&
    observed.updatesInProgress.some((u) => u.target.kind === "controlPlane");
  if (observed.cluster.status !== "ACTIVE" && !resuming) required.add("EKSUP003");
  if (observed.nodegroups.some((n) => n.status === "DEGRADED")) required.add("EKSUP004");
  // Lower is lower whether EKS offers the minor or not (major 1 throughout, as the spec checks).
  const minorOf = (v: string) => Number(v.split(".")[1]);
  // A control-plane update in progress ends on its minor, which is then what runs.
  const going = observed.updatesInProgress
    .filter((u) => u.target.kind === "controlPlane")
    .flatMap((u) => u.params.filter((p) => p.type === "Version").map((p) => p.value));
  if (minorOf(to) < minorOf(cp) || going.some((m) => minorOf(to) < minorOf(m))) {
    required.add("EKSUP001");
    return out;
  }
  if (position(to) < 0) {
    required.add("EKSUP002");
    return out;
  }
  const path = ORACLE_MINORS.slice(position(cp) + 1, position(to) + 1);

  // Kubelets no managed node group runs (Karpenter's, …): nothing moves them, so a control-plane
  // minor on the path beyond their skew refuses the plan. Reported whenever planning gets that far:
  // required when nothing else refuses, allowed besides other refusals.
  const unmanaged = (observed.kubernetes?.nodes ?? [])
    .filter((n) => !n.nodegroup)
    .map((n) => /^v?(\d+\.\d+)/.exec(n.kubeletVersion)?.[1] ?? "");
  const beyondSkew = unmanaged.some((v) => path.some((m) => minorsApart(v, m) > skewAllowed(v)));
  if (beyondSkew) allowed.add("EKSUP036");

  // Upgrade-readiness ERRORs on the path block unless the policy accepts them.
  const policy = spec.upgrade?.insights ?? "block";
  for (const i of observed.insights) {
    if (i.category === "UPGRADE_READINESS" && i.status === "ERROR" && path.includes(i.kubernetesVersion)) {
      const accepted = policy === "warn" || (Array.isArray(policy) && policy.includes(i.name));
      if (!accepted) required.add("EKSUP015");
    }
  }

  // Node groups: the minors the skew policy forces them through, then the target.
  const kubelets = new Map(observed.nodegroups.map((n) => [n.name, n.version]));
  const forced = new Map<string, string[]>();
  let at = cp;
  for (const m of path) {
    for (const [name, v] of kubelets) {
      if (minorsApart(v, m) > skewAllowed(v)) {
        forced.set(name, [...(forced.get(name) ?? []), at]);
        kubelets.set(name, at);
      }
    }
    at = m;
  }
  for (const ng of observed.nodegroups) {
    const ngSpec = spec.nodeGroups?.[ng.name];
    const pin = ngSpec?.amiReleaseVersion ?? "latest";
    if (ng.amiType === "CUSTOM") {
      const lt = ngSpec?.launchTemplateVersion;
      if (forced.has(ng.name) || (lt === undefined && minorsApart(ng.version, to) > 0))
        required.add("EKSUP009");
      else out.nodegroups[ng.name] = `lt${lt ?? ng.launchTemplate?.version}`;
      continue;
    }
    const needed = [...(forced.get(ng.name) ?? []), to];
    if (needed.some((m) => publishedReleases(ng.amiType, m).length === 0)) {
      required.add("EKSUP008");
      continue;
    }
    const list = publishedReleases(ng.amiType, to);
    const newest = list.at(-1) as string;
    const running = ng.version === to ? ng.releaseVersion : undefined;
    const older = (a: string, b: string) => list.indexOf(a) < list.indexOf(b);
    if (pin === "latest") {
      out.nodegroups[ng.name] = `${to} ${running && !older(running, newest) ? running : newest}`;
    } else if (!list.includes(pin)) {
      // Not published for the target: Amazon Linux and Windows releases name another minor;
      // a Bottlerocket one is either older than what runs or not published.
      if (familyOf(ng.amiType) === "BOTTLEROCKET") out.oneOf.push(["EKSUP006", "EKSUP018"]);
      else required.add("EKSUP007");
      allowed.add("EKSUP006").add("EKSUP018");
    } else if (running && older(pin, running)) {
      required.add("EKSUP006");
    } else if (familyOf(ng.amiType) === "WINDOWS" && pin !== newest && pin !== running) {
      required.add("EKSUP032");
    } else {
      out.nodegroups[ng.name] = `${to} ${pin}`;
    }
  }

  // Add-ons: a pin goes where it says (never back); default and latest never move one back either.
  for (const a of observed.addons) {
    const want = spec.addons?.[a.name] ?? "default";
    const version = typeof want === "string" ? want : (want.version ?? "default");
    const atTarget = addonVersionsFor(a.name, to);
    const newer = (x: string, y: string) => addonPosition(a.name, x) > addonPosition(a.name, y);
    if (version !== "default" && version !== "latest") {
      if (newer(a.version, version)) required.add("EKSUP013");
      else if (!atTarget.includes(version)) required.add("EKSUP012");
      else out.addons[a.name] = version;
    } else {
      const chosen = version === "latest" ? atTarget.at(-1) : (addonDefault(a.name, to) ?? atTarget.at(-1));
      if (chosen && !newer(a.version, chosen)) out.addons[a.name] = chosen;
      else if (atTarget.includes(a.version)) out.addons[a.name] = a.version;
      else required.add("EKSUP014");
    }
    // The way there may have no version EKS offers at some hop (vpc-cni one minor at a time).
    allowed.add("EKSUP014");
  }
  if (beyondSkew && !required.size && !out.oneOf.length) required.add("EKSUP036");
  return out;
}
