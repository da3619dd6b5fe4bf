/**
 * Add-on versions as EKS writes them: "v1.19.0-eksbuild.1". The emulator never orders them by
 * reading them (the catalog's lists are in published order); it reads a version only for the rule
 * EKS documents in these terms: vpc-cni moves at most one minor version ("1.19" -> "1.20") at a time.
 */
const ADDON_VERSION = /^v(\d+)\.(\d+)\.\d+-eksbuild\.\d+$/;

export function isAddonVersion(v: string): boolean {
  return ADDON_VERSION.test(v);
}

/** Same major, and the minor moves by at most one in either direction. */
export function withinOneMinor(from: string, to: string): boolean {
  const a = ADDON_VERSION.exec(from);
  const b = ADDON_VERSION.exec(to);
  if (!a || !b) return from === to;
  return a[1] === b[1] && Math.abs(Number(a[2]) - Number(b[2])) <= 1;
}
