import { createHash } from "node:crypto";
import defaultData from "../data/eks-catalog.json";
import { AMI_TYPES, type AmiFamily, type AmiType, amiFamily, amiParameterLayout } from "./ami-types";
import { isAddonVersion } from "./addon-version";

/** The catalog's data format: the shape of `emulator/data/eks-catalog.json` and of a seed's `catalog`. */
export interface CatalogData {
  kubernetesVersions?: KubernetesVersionData[];
  addons?: Record<string, AddonVersionData[]>;
  amiReleases?: Partial<Record<AmiFamily, Record<string, string[]>>>;
  /** Add-ons whose updates may move at most one minor version (real EKS enforces it for vpc-cni). */
  oneMinorAtATime?: string[];
}

export interface KubernetesVersionData {
  version: string;
  releasedOn: string;
  endOfStandardSupport: string;
  endOfExtendedSupport: string;
  platformVersions?: string[];
  /** kubernetesPatch is null where no public source gives it. */
  platformVersionDetails?: { platformVersion: string; kubernetesPatch: string | null; releasedOn: string }[];
}

export interface AddonVersionData {
  version: string;
  compatibleWith: string[];
  defaultFor?: string[];
}

export interface KubernetesVersionInfo {
  version: string;
  releasedOn: string;
  endOfStandardSupport: string;
  endOfExtendedSupport: string;
  /** Oldest first; the last one is what an upgraded cluster lands on. */
  platformVersions: string[];
  /** Kubernetes patch of the newest platform version whose patch is known. */
  latestPatch: string;
}

export interface AddonVersion {
  version: string;
  compatibleWith: Set<string>;
  defaultFor: Set<string>;
}

export interface SsmParameter {
  name: string;
  value: string;
  version: number;
  lastModified: number;
}

const DEFAULT_ONE_MINOR_AT_A_TIME = ["vpc-cni"];

/**
 * The versions EKS knows: Kubernetes minors with their support calendar and platform versions,
 * add-on versions with their compatibilities and the default per minor, node AMI releases per
 * family and minor. Built from the real data shipped in `emulator/data/eks-catalog.json`, then
 * extended or overridden by a seed. The public SSM parameters are derived from it.
 *
 * Order comes from the data, never from reading a version: every list is kept in the order it is
 * published (oldest first, as AWS's release notes list them), and what a seed adds is taken as
 * published after it. The newest release is the last one; "older" means "earlier in the list".
 * The emulator is what the engine is tested against, so it must not share the engine's reading
 * of version strings: a shared comparator once let both agree that a Bottlerocket release with
 * an all-digit build id was the newest.
 */
export class Catalog {
  private readonly minors = new Map<string, KubernetesVersionInfo>();
  private readonly addons = new Map<string, AddonVersion[]>();
  private readonly releases = new Map<AmiFamily, Map<string, string[]>>();
  private oneMinor = new Set(DEFAULT_ONE_MINOR_AT_A_TIME);

  static default(): Catalog {
    return new Catalog().merge(defaultData as CatalogData);
  }

  merge(data: CatalogData): this {
    for (const k of data.kubernetesVersions ?? []) {
      const details = k.platformVersionDetails ?? [];
      const platformVersions = k.platformVersions ?? details.map((d) => d.platformVersion);
      if (platformVersions.length === 0) platformVersions.push("eks.1");
      this.minors.set(k.version, {
        version: k.version,
        releasedOn: k.releasedOn,
        endOfStandardSupport: k.endOfStandardSupport,
        endOfExtendedSupport: k.endOfExtendedSupport,
        platformVersions,
        latestPatch:
          [...details].reverse().find((d) => d.kubernetesPatch)?.kubernetesPatch ?? `${k.version}.0`,
      });
    }
    for (const [name, versions] of Object.entries(data.addons ?? {})) {
      for (const v of versions) this.addAddonVersion(name, v.version, v.compatibleWith, v.defaultFor ?? []);
    }
    for (const [family, perMinor] of Object.entries(data.amiReleases ?? {}) as [
      AmiFamily,
      Record<string, string[]>,
    ][]) {
      for (const [minor, list] of Object.entries(perMinor))
        for (const r of list) this.addRelease(family, minor, r);
    }
    if (data.oneMinorAtATime) this.oneMinor = new Set(data.oneMinorAtATime);
    return this;
  }

  // --- Kubernetes minors -------------------------------------------------------------------

  /** Oldest first, in the catalog's order. */
  kubernetesVersions(): KubernetesVersionInfo[] {
    return [...this.minors.values()];
  }

  /** How many minors `b` comes after `a` in EKS's list (negative: before); NaN if either is unknown. */
  minorsApart(a: string, b: string): number {
    const [ia, ib] = [this.minorPosition(a), this.minorPosition(b)];
    return ia < 0 || ib < 0 ? Number.NaN : ib - ia;
  }

  /** The minor EKS offers right after `version`, if any. */
  nextMinor(version: string): string | undefined {
    const i = this.minorPosition(version);
    return i < 0 ? undefined : [...this.minors.keys()][i + 1];
  }

  private minorPosition(version: string): number {
    return [...this.minors.keys()].indexOf(version);
  }

  minor(version: string): KubernetesVersionInfo | undefined {
    return this.minors.get(version);
  }

  latestPlatformVersion(version: string): string {
    return this.minors.get(version)?.platformVersions.at(-1) ?? "eks.1";
  }

  // --- add-ons -------------------------------------------------------------------------------

  addonNames(): string[] {
    return [...this.addons.keys()].sort();
  }

  /** Versions of an add-on, oldest first. */
  addonVersions(name: string): AddonVersion[] {
    return this.addons.get(name) ?? [];
  }

  addonVersion(name: string, version: string): AddonVersion | undefined {
    return this.addons.get(name)?.find((v) => v.version === version);
  }

  defaultAddonVersion(name: string, minor: string): string | undefined {
    return this.addonVersions(name).find((v) => v.defaultFor.has(minor))?.version;
  }

  requiresOneMinorAtATime(name: string): boolean {
    return this.oneMinor.has(name);
  }

  /** Adds a version (or extends its compatibilities). A new default for a minor replaces the old one. */
  addAddonVersion(name: string, version: string, compatibleWith: string[], defaultFor: string[] = []): void {
    if (!isAddonVersion(version))
      throw new Error(`add-on ${name}: "${version}" is not a version like v1.19.0-eksbuild.1`);
    const list = this.addons.get(name) ?? [];
    this.addons.set(name, list);
    let entry = list.find((v) => v.version === version);
    if (!entry) {
      entry = { version, compatibleWith: new Set(), defaultFor: new Set() };
      list.push(entry); // published after the versions already listed
    }
    for (const m of compatibleWith) entry.compatibleWith.add(m);
    for (const m of defaultFor) {
      for (const other of list) other.defaultFor.delete(m);
      entry.defaultFor.add(m);
      entry.compatibleWith.add(m);
    }
  }

  // --- AMI releases --------------------------------------------------------------------------

  /** Releases of an AMI family for a minor, oldest first; empty when the family has none (AL2 after 1.32). */
  releasesFor(family: AmiFamily, minor: string): string[] {
    return this.releases.get(family)?.get(minor) ?? [];
  }

  /** Whether `release` comes before `than` in the published list (both must be listed). */
  isOlderRelease(family: AmiFamily, minor: string, release: string, than: string): boolean {
    const list = this.releasesFor(family, minor);
    const [i, j] = [list.indexOf(release), list.indexOf(than)];
    return i >= 0 && j >= 0 && i < j;
  }

  latestRelease(family: AmiFamily, minor: string): string | undefined {
    return this.releasesFor(family, minor).at(-1);
  }

  addRelease(family: AmiFamily, minor: string, release: string): void {
    const perMinor = this.releases.get(family) ?? new Map<string, string[]>();
    this.releases.set(family, perMinor);
    const list = perMinor.get(minor) ?? [];
    perMinor.set(minor, list);
    if (!list.includes(release)) list.push(release); // published after the releases already listed
  }

  // --- SSM public parameters -----------------------------------------------------------------

  /**
   * Every public parameter: for each (AMI type, minor), the "latest"/"recommended" ones name the
   * last release of the published list, and each release of the list has its own (where AWS
   * publishes one: not for Windows).
   */
  ssmParameters(): Map<string, SsmParameter> {
    const out = new Map<string, SsmParameter>();
    for (const amiType of AMI_TYPES) {
      const family = amiFamily(amiType);
      if (!family) continue;
      for (const minor of this.releases.get(family)?.keys() ?? []) {
        const list = this.releasesFor(family, minor);
        list.forEach((release, i) => {
          const layout = amiParameterLayout(amiType, minor, release);
          if (!layout) return;
          const imageId = amiId(amiType, minor, release);
          const put = (name: string | undefined, value: string, version: number) => {
            if (name)
              out.set(name, { name, value, version, lastModified: this.published(family, minor, release) });
          };
          for (const name of layout.releaseImageIds) put(name, imageId, 1);
          if (i !== list.length - 1) return;
          // "latest" has been rewritten once for each release of the list.
          put(layout.releaseVersion, release, list.length);
          put(layout.imageId, imageId, list.length);
          put(
            layout.recommended,
            JSON.stringify({ image_id: imageId, image_name: layout.imageName, release_version: release }),
            list.length,
          );
          if (layout.recommended && family !== "WINDOWS")
            put(`${layout.recommended}/image_name`, layout.imageName, list.length);
        });
      }
    }
    return out;
  }

  /**
   * When a release was published: the build date Amazon Linux and Windows releases carry, else
   * (Bottlerocket's build id is a hash, not a date) the minor's release date.
   */
  private published(family: AmiFamily, minor: string, release: string): number {
    const built =
      family === "BOTTLEROCKET"
        ? null
        : (/-(\d{4})(\d{2})(\d{2})$/.exec(release) ?? /-(\d{4})\.(\d{2})\.(\d{2})$/.exec(release));
    if (built) return Date.UTC(Number(built[1]), Number(built[2]) - 1, Number(built[3]));
    return Date.parse(this.minors.get(minor)?.releasedOn ?? "2024-01-01");
  }
}

/** A stable, realistic-looking AMI id for a release (EC2 is not emulated). */
export function amiId(amiType: AmiType, minor: string, release: string): string {
  return `ami-${createHash("sha256").update(`${amiType}|${minor}|${release}`).digest("hex").slice(0, 17)}`;
}
