import { paginateDescribeAddonVersions, paginateDescribeClusterVersions } from "@aws-sdk/client-eks";
import { GetParametersCommand, type Parameter } from "@aws-sdk/client-ssm";
import { releaseParameter } from "./ami";
import type { Clients } from "./clients";
import type { AddonVersionInfo, KubernetesVersionSupport, Observed, ResolvedCatalog } from "./model";
import { addonLookups, pinLookups, releaseKey, releaseLookups } from "./plan-lookups";
import type { DesiredSpec } from "./spec";
import { compareAddonVersions, compareMinor } from "./versions";

/** SSM GetParameters takes at most 10 names. */
const SSM_BATCH = 10;

/**
 * Turns the spec's symbolic versions into concrete ones, asking only what the plan needs: the
 * minors EKS offers with their support windows, the add-on versions of each minor on the path (one DescribeAddonVersions per
 * minor), the newest AMI release of each (AMI type, minor) pair the node groups need, and whether
 * each pinned release exists (one GetParameters per 10 names): a pin AWS does not publish is
 * refused by the plan, before the first change, rather than by EKS half-way through the run.
 */
export async function resolve(
  clients: Clients,
  spec: DesiredSpec,
  observed: Observed,
): Promise<ResolvedCatalog> {
  // The newest releases and the pins share their GetParameters calls.
  const latest = latestParameters(releaseLookups(spec, observed));
  const pins = pinLookups(spec, observed);
  const [kubernetesVersions, addonVersions, parameters] = await Promise.all([
    clusterVersions(clients),
    Promise.all(
      addonLookups(spec, observed).map(async (m) => [m, await addonVersionsFor(clients, m)] as const),
    ).then((entries) => Object.fromEntries(entries)),
    getParameters(clients, [...latest.keys(), ...pins.map((p) => p.parameter)]),
  ]);
  return {
    kubernetesVersions,
    addonVersions,
    latestReleases: readLatest(latest, parameters),
    publishedReleases: readPublished(pins, parameters),
  };
}

/** Every minor EKS knows with its support status and dates (one call, a page or two). */
export async function clusterVersions(clients: Clients): Promise<KubernetesVersionSupport[]> {
  const out: KubernetesVersionSupport[] = [];
  // includeAll: a minor past its support dates is still a hop on the way up (EKS knows it).
  for await (const page of paginateDescribeClusterVersions({ client: clients.eks }, { includeAll: true })) {
    for (const v of page.clusterVersions ?? []) {
      if (!v.clusterVersion) continue;
      out.push({
        minor: v.clusterVersion,
        status: v.versionStatus ?? "UNKNOWN",
        releaseDate: day(v.releaseDate),
        endOfStandardSupport: day(v.endOfStandardSupportDate),
        endOfExtendedSupport: day(v.endOfExtendedSupportDate),
      });
    }
  }
  return out.sort((a, b) => compareMinor(a.minor, b.minor));
}

const day = (d: Date | undefined) => d?.toISOString().slice(0, 10);

export async function addonVersionsFor(
  clients: Clients,
  minor: string,
): Promise<Record<string, AddonVersionInfo[]>> {
  const out: Record<string, AddonVersionInfo[]> = {};
  for await (const page of paginateDescribeAddonVersions(
    { client: clients.eks },
    { kubernetesVersion: minor },
  )) {
    for (const addon of page.addons ?? []) {
      if (!addon.addonName) continue;
      const versions: AddonVersionInfo[] = [];
      for (const v of addon.addonVersions ?? []) {
        // Compatibilities list several minors: match on clusterVersion, never take the first.
        const compat = v.compatibilities?.find((c) => c.clusterVersion === minor);
        if (v.addonVersion && compat)
          versions.push({ version: v.addonVersion, isDefault: compat.defaultVersion === true });
      }
      out[addon.addonName] = versions.sort((a, b) => compareAddonVersions(b.version, a.version));
    }
  }
  return out;
}

export async function latestReleasesFor(
  clients: Clients,
  pairs: { amiType: string; minor: string }[],
): Promise<Record<string, string | null>> {
  const latest = latestParameters(pairs);
  return readLatest(latest, await getParameters(clients, [...latest.keys()]));
}

/** Whether each pinned release's own SSM parameter exists (SSM answers the rest as InvalidParameters). */
export async function publishedReleasesFor(
  clients: Clients,
  pins: { key: string; parameter: string }[],
): Promise<Record<string, boolean>> {
  return readPublished(
    pins,
    await getParameters(
      clients,
      pins.map((p) => p.parameter),
    ),
  );
}

type LatestParameters = Map<string, { keys: string[]; json: boolean }>;

/** The SSM parameter holding the newest release of each pair, with the pairs it answers for. */
function latestParameters(pairs: { amiType: string; minor: string }[]): LatestParameters {
  const byName: LatestParameters = new Map();
  for (const { amiType, minor } of pairs) {
    const p = releaseParameter(amiType, minor);
    if (!p) continue;
    const entry = byName.get(p.name) ?? { keys: [], json: p.json };
    entry.keys.push(releaseKey(amiType, minor));
    byName.set(p.name, entry);
  }
  return byName;
}

/** "<amiType>@<minor>" -> the newest release, or null where SSM has none. */
function readLatest(byName: LatestParameters, parameters: Parameter[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const { keys } of byName.values()) for (const k of keys) out[k] = null;
  for (const p of parameters) {
    const entry = p.Name ? byName.get(p.Name) : undefined;
    if (!entry || !p.Value) continue;
    const release = entry.json
      ? (JSON.parse(p.Value) as { release_version?: string }).release_version
      : p.Value;
    for (const k of entry.keys) out[k] = release ?? null;
  }
  return out;
}

function readPublished(
  pins: { key: string; parameter: string }[],
  parameters: Parameter[],
): Record<string, boolean> {
  const found = new Set(parameters.map((p) => p.Name));
  return Object.fromEntries(pins.map((p) => [p.key, found.has(p.parameter)]));
}

/** GetParameters over any number of distinct names, 10 a call, the calls concurrent. */
async function getParameters(clients: Clients, names: string[]): Promise<Parameter[]> {
  const unique = [...new Set(names)];
  const batches = Array.from({ length: Math.ceil(unique.length / SSM_BATCH) }, (_, i) =>
    unique.slice(i * SSM_BATCH, (i + 1) * SSM_BATCH),
  );
  const pages = await Promise.all(
    batches.map(
      async (Names) => (await clients.ssm.send(new GetParametersCommand({ Names }))).Parameters ?? [],
    ),
  );
  return pages.flat();
}
