import { type AmiFamily, amiFamily } from "./ami";

/*
 * The order of node AMI releases. A release is read by the AMI family of the node group it is for
 * (from the node group's amiType), never by the shape of the string: a Bottlerocket build id is an
 * opaque hash that can be all digits (1.51.0-47438798), which an Amazon Linux reading takes for a
 * date in the year 4743. Every place that orders releases (plan, execute, status, rollback) uses
 * this module; a release that does not fit its family is not ordered at all.
 */

/** A release read as its family writes it. */
export interface Release {
  family: AmiFamily;
  /** The Kubernetes minor the release names (Amazon Linux and Windows); Bottlerocket names none. */
  minor?: string;
  /** Compared element by element, most significant first. */
  order: number[];
  /** The build date where the release carries one (YYYY-MM-DD). */
  built?: string;
}

interface Form {
  pattern: RegExp;
  read(m: RegExpExecArray): Omit<Release, "family"> | undefined;
  /** What the family's releases look like, for messages. */
  example: string;
}

/** A calendar date, or undefined for month 87 or day 98. */
function date(y: string, m: string, d: string): string | undefined {
  const iso = `${y}-${m}-${d}`;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== iso ? undefined : iso;
}

/** Amazon Linux 2 and 2023: "<Kubernetes patch>-<build date>", ordered by the patch, then the date. */
const AMAZON_LINUX: Form = {
  pattern: /^(\d+)\.(\d+)\.(\d+)-(\d{4})(\d{2})(\d{2})$/,
  read: (m) => {
    const built = date(m[4]!, m[5]!, m[6]!);
    if (!built) return undefined;
    return { minor: `${m[1]}.${m[2]}`, order: [Number(m[3]), Number(`${m[4]}${m[5]}${m[6]}`)], built };
  },
  example: "1.35.8-20260930 (the Kubernetes patch, then the build date)",
};

const FORMS: Record<AmiFamily, Form> = {
  AL2: AMAZON_LINUX,
  AL2023: AMAZON_LINUX,
  /** "<OS version>-<build id>": ordered by the OS version; the build id is a hash, not a number. */
  BOTTLEROCKET: {
    pattern: /^(\d+)\.(\d+)\.(\d+)-[0-9a-f]{8}$/,
    read: (m) => ({ order: [Number(m[1]), Number(m[2]), Number(m[3])] }),
    example: "1.58.0-c5c37032 (the Bottlerocket version, then an 8-character build id)",
  },
  /** "<Kubernetes minor>-<YYYY.MM.DD>": ordered by the date. */
  WINDOWS: {
    pattern: /^(\d+)\.(\d+)-(\d{4})\.(\d{2})\.(\d{2})$/,
    read: (m) => {
      const built = date(m[3]!, m[4]!, m[5]!);
      if (!built) return undefined;
      return { minor: `${m[1]}.${m[2]}`, order: [Number(`${m[3]}${m[4]}${m[5]}`)], built };
    },
    example: "1.35-2026.04.18 (the Kubernetes minor, then the build date)",
  },
};

/** A release of the node group's AMI type, or undefined when it is not one (or the type is CUSTOM). */
export function parseRelease(amiType: string, release: string): Release | undefined {
  const family = amiFamily(amiType);
  if (!family) return undefined;
  const m = FORMS[family].pattern.exec(release);
  const read = m ? FORMS[family].read(m) : undefined;
  return read ? { family, ...read } : undefined;
}

/** What releases of the AMI type's family look like ("custom AMI" for CUSTOM). */
export function releaseExample(amiType: string): string {
  const family = amiFamily(amiType);
  return family ? FORMS[family].example : "none: a custom AMI comes from its launch template";
}

/**
 * Whether `a` is older (< 0), the same or an equal build (0), or newer (> 0) than `b`, both
 * releases of `amiType`; undefined when either is not a release of that family, which must then
 * not be ordered at all.
 */
export function compareReleases(amiType: string, a: string, b: string): number | undefined {
  const ra = parseRelease(amiType, a);
  const rb = parseRelease(amiType, b);
  if (!ra || !rb) return undefined;
  for (let i = 0; i < ra.order.length; i++) {
    const d = ra.order[i]! - rb.order[i]!;
    if (d !== 0) return d;
  }
  return 0;
}
