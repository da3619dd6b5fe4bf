import semver from "semver";

/*
 * The emulator and the engine each keep their own version arithmetic on purpose: the emulator is
 * the oracle the engine is tested against, and a helper they shared would agree with its own bugs.
 */
/** Kubernetes minors as EKS writes them: "1.31". */
const MINOR = /^(\d+)\.(\d+)$/;

export function isMinor(v: string): boolean {
  return MINOR.test(v);
}

export function parseMinor(v: string): [number, number] {
  const m = MINOR.exec(v);
  if (!m) throw new Error(`not a Kubernetes minor version: ${v}`);
  return [Number(m[1]), Number(m[2])];
}

export function compareMinor(a: string, b: string): number {
  const [am, an] = parseMinor(a);
  const [bm, bn] = parseMinor(b);
  return am - bm || an - bn;
}

/** How many minors `b` is ahead of `a` (negative when behind). Same major assumed, as for all of EKS. */
export function minorDistance(a: string, b: string): number {
  return parseMinor(b)[1] - parseMinor(a)[1];
}

export function nextMinor(v: string): string {
  const [major, minor] = parseMinor(v);
  return `${major}.${minor + 1}`;
}

/** Add-on versions look like "v1.19.0-eksbuild.1"; semver orders the eksbuild number numerically. */
export function parseAddonVersion(v: string): semver.SemVer | null {
  return semver.parse(v.replace(/^v/, ""));
}

export function compareAddonVersions(a: string, b: string): number {
  const pa = parseAddonVersion(a);
  const pb = parseAddonVersion(b);
  if (!pa || !pb) return a.localeCompare(b);
  return semver.compare(pa, pb);
}

/**
 * AMI release versions: AL2/AL2023 "1.31.0-20241024", Windows "1.31-2024.11.12", Bottlerocket
 * "1.19.2-29cc92cc". The first two order by their date, Bottlerocket by its OS version.
 */
export function releaseSortKey(release: string): string {
  const al = /^(\d+)\.(\d+)\.(\d+)-(\d{8})$/.exec(release);
  if (al) return `${al[4]}|${pad(al[3])}`;
  const win = /^\d+\.\d+-(\d{4})\.(\d{2})\.(\d{2})$/.exec(release);
  if (win) return `${win[1]}${win[2]}${win[3]}`;
  const br = /^(\d+)\.(\d+)\.(\d+)-[0-9a-f]+$/.exec(release);
  if (br) return `${pad(br[1])}.${pad(br[2])}.${pad(br[3])}`;
  return release;
}

export function compareReleases(a: string, b: string): number {
  const ka = releaseSortKey(a);
  const kb = releaseSortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function pad(n: string | undefined): string {
  return (n ?? "").padStart(6, "0");
}
