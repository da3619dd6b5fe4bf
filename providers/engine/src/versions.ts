import semver from "semver";

/*
 * The emulator and the engine each keep their own version arithmetic on purpose: the emulator is
 * the oracle the engine is tested against, and a helper they shared would agree with its own bugs.
 */
/** Kubernetes minors ("1.31") and add-on versions ("v1.19.0-eksbuild.1"), compared (AMI releases: releases.ts). */

const MINOR = /^(\d+)\.(\d+)$/;

export function isMinor(v: string): boolean {
  return MINOR.test(v);
}

function minorParts(v: string): [number, number] {
  const m = MINOR.exec(v);
  if (!m) throw new Error(`not a Kubernetes minor version: ${v}`);
  return [Number(m[1]), Number(m[2])];
}

export function compareMinor(a: string, b: string): number {
  const [am, an] = minorParts(a);
  const [bm, bn] = minorParts(b);
  return am - bm || an - bn;
}

export function addMinor(v: string, n: number): string {
  const [major, minor] = minorParts(v);
  return `${major}.${minor + n}`;
}

/**
 * The minors strictly after `from` up to and including `to`: 1.29 → 1.32 gives 1.30, 1.31, 1.32.
 * Total: across majors (which Kubernetes 1.x never crosses) there is no path, so none is given.
 */
export function minorsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  if (minorParts(from)[0] !== minorParts(to)[0]) return out;
  for (let m = addMinor(from, 1); compareMinor(m, to) <= 0; m = addMinor(m, 1)) out.push(m);
  return out;
}

export function minorDistance(from: string, to: string): number {
  return minorParts(to)[1] - minorParts(from)[1];
}

/** A kubelet may be this many minors behind the API server (Kubernetes version skew policy). */
export function allowedKubeletSkew(kubeletMinor: string): number {
  return compareMinor(kubeletMinor, "1.25") >= 0 ? 3 : 2;
}

export function parseAddonVersion(v: string): semver.SemVer | null {
  return semver.parse(v.replace(/^v/, ""));
}

export function compareAddonVersions(a: string, b: string): number {
  const pa = parseAddonVersion(a);
  const pb = parseAddonVersion(b);
  if (!pa || !pb) return a.localeCompare(b);
  return semver.compare(pa, pb);
}

/** "major.minor" of an add-on version: the unit EKS counts for one-minor-at-a-time add-ons. */
export function addonMinorSeries(v: string): string | undefined {
  const p = parseAddonVersion(v);
  return p ? `${p.major}.${p.minor}` : undefined;
}
