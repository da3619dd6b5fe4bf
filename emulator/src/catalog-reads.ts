import type { Catalog } from "./catalog";
import { epochSeconds } from "./clock";
import { paginate } from "./paginate";

/** The reads that depend on the catalog alone: which add-on versions exist, which minors are supported. */

const ADDON_TYPES: Record<string, string> = {
  "vpc-cni": "networking",
  coredns: "networking",
  "kube-proxy": "networking",
  "aws-ebs-csi-driver": "storage",
  "eks-pod-identity-agent": "security",
};

export function describeAddonVersions(
  catalog: Catalog,
  q: {
    kubernetesVersion?: string;
    addonName?: string;
    maxResults?: number;
    nextToken?: string;
  },
) {
  const names = q.addonName ? [q.addonName] : catalog.addonNames();
  const infos = names
    .map((addonName) => {
      const versions = catalog
        .addonVersions(addonName)
        .filter((v) => !q.kubernetesVersion || v.compatibleWith.has(q.kubernetesVersion))
        .slice()
        .reverse();
      return {
        addonName,
        type: ADDON_TYPES[addonName] ?? "other",
        addonVersions: versions.map((v) => ({
          addonVersion: v.version,
          architecture: ["amd64", "arm64"],
          computeTypes: ["ec2", "hybrid"],
          // Asked for one minor, EKS answers each version's compatibility with that minor only,
          // so the docs' query `compatibilities[?defaultVersion==\`true\`]` finds one default.
          compatibilities: [...v.compatibleWith]
            .filter((m) => !q.kubernetesVersion || m === q.kubernetesVersion)
            .sort((a, b) => catalog.minorsApart(a, b))
            .map((m) => ({
              clusterVersion: m,
              platformVersions: ["*"],
              defaultVersion: v.defaultFor.has(m),
            })),
          requiresConfiguration: false,
          requiresIamPermissions: addonName === "aws-ebs-csi-driver",
        })),
        publisher: "eks",
        owner: "aws",
      };
    })
    .filter((a) => a.addonVersions.length > 0);
  const { page, nextToken } = paginate(infos, q.maxResults, q.nextToken);
  return { addons: page, ...(nextToken ? { nextToken } : {}) };
}

export function describeClusterVersions(
  catalog: Catalog,
  now: number,
  q: {
    clusterVersions?: string[];
    includeAll?: boolean;
    defaultOnly?: boolean;
    versionStatus?: string;
    maxResults?: number;
    nextToken?: string;
  },
) {
  const all = catalog.kubernetesVersions();
  const statusOf = (k: (typeof all)[number]) =>
    now < Date.parse(k.endOfStandardSupport)
      ? "STANDARD_SUPPORT"
      : now < Date.parse(k.endOfExtendedSupport)
        ? "EXTENDED_SUPPORT"
        : "UNSUPPORTED";
  const supported = all.filter((k) => statusOf(k) !== "UNSUPPORTED" && Date.parse(k.releasedOn) <= now);
  // EKS creates new clusters one minor behind the newest by default.
  const defaultVersion = supported.at(-2)?.version ?? supported.at(-1)?.version;
  const rows = all
    .filter((k) => q.includeAll || q.clusterVersions?.length || supported.includes(k))
    .filter((k) => !q.clusterVersions?.length || q.clusterVersions.includes(k.version))
    .filter((k) => !q.defaultOnly || k.version === defaultVersion)
    .filter((k) => !q.versionStatus || statusOf(k) === q.versionStatus)
    .reverse()
    .map((k) => ({
      clusterVersion: k.version,
      clusterType: "eks",
      defaultPlatformVersion: k.platformVersions.at(-1),
      defaultVersion: k.version === defaultVersion,
      releaseDate: epochSeconds(Date.parse(k.releasedOn)),
      endOfStandardSupportDate: epochSeconds(Date.parse(k.endOfStandardSupport)),
      endOfExtendedSupportDate: epochSeconds(Date.parse(k.endOfExtendedSupport)),
      status: statusOf(k).toLowerCase().replace("_", "-"),
      versionStatus: statusOf(k),
      kubernetesPatchVersion: k.latestPatch,
    }));
  const { page, nextToken } = paginate(rows, q.maxResults, q.nextToken);
  return { clusterVersions: page, ...(nextToken ? { nextToken } : {}) };
}
