import { type Finding, finding } from "./checks";
import type { KubernetesVersionSupport, Observed, ResolvedCatalog } from "./model";
import { compareMinor, minorsBetween } from "./versions";

/*
 * Support windows as EKS reports them (DescribeClusterVersions): which minors of a plan are in
 * standard support, in extended support (billed extra per cluster hour) or past it, and when EKS
 * upgrades a cluster by itself. Pure: the dates come from EKS, "now" from when observe read them.
 */

/** EKS's rollback window after an in-place upgrade (2026). */
export const ROLLBACK_WINDOW_DAYS = 7;

/** How far ahead an automatic upgrade is announced. */
export const AUTO_UPGRADE_NOTICE_DAYS = 60;

const DAY_MS = 86_400_000;

/** The support of each minor from the running one to the target, in order. */
export function supportAlongPath(
  observed: Observed,
  catalog: ResolvedCatalog,
  to: string,
): KubernetesVersionSupport[] {
  const from = observed.cluster.version;
  const minors = compareMinor(to, from) > 0 ? [from, ...minorsBetween(from, to)] : [from];
  return minors.flatMap((m) => catalog.kubernetesVersions.find((v) => v.minor === m) ?? []);
}

/**
 * Warnings about support: a target in extended support or past it, minors on the way whose
 * standard support has ended, and a running minor EKS will soon upgrade by itself (when the plan
 * leaves the cluster on it).
 */
export function supportWarnings(observed: Observed, catalog: ResolvedCatalog, to: string): Finding[] {
  const out: Finding[] = [];
  const along = supportAlongPath(observed, catalog, to);
  const running = along[0];
  const target = along.at(-1);
  const policy = observed.cluster.supportType || "STANDARD";
  if (target && target !== running) {
    if (target.status === "UNSUPPORTED") {
      out.push(
        finding(
          "TARGET_UNSUPPORTED",
          "clusterVersion",
          `Kubernetes ${to} reached the end of extended support on ${target.endOfExtendedSupport ?? "an earlier date"}: EKS no longer supports it and upgrades such clusters by itself`,
        ),
      );
    } else if (target.status === "EXTENDED_SUPPORT") {
      out.push(
        finding(
          "TARGET_EXTENDED_SUPPORT",
          "clusterVersion",
          `Kubernetes ${to} is in extended support (standard support ended ${target.endOfStandardSupport}, extended ends ${target.endOfExtendedSupport}): extended support is billed per cluster hour${policy === "STANDARD" ? `, and with this cluster's upgrade policy STANDARD, EKS upgrades it to the next minor by itself` : ""}`,
        ),
      );
    }
  }
  const ended = along.slice(1, -1).filter((v) => v.status !== "STANDARD_SUPPORT");
  if (ended.length) {
    out.push(
      finding(
        "PATH_THROUGH_ENDED_SUPPORT",
        "clusterVersion",
        `the way to ${to} passes ${ended.map((v) => `${v.minor} (${describeSupport(v)})`).join(", ")}: the cluster runs each for one control-plane step only`,
      ),
    );
  }
  const soon = autoUpgrade(observed, running);
  if (soon && (!target || target === running)) {
    out.push(
      finding(
        "AUTO_UPGRADE_SOON",
        "clusterVersion",
        `${soon.passed ? "since" : "from"} ${soon.date}${soon.passed ? "" : ` (in ${soon.days} days)`}, EKS upgrades this cluster from ${running?.minor} to the next minor by itself: its upgrade policy is ${policy} and ${running?.minor}'s ${policy === "EXTENDED" ? "extended" : "standard"} support ${soon.passed ? "has ended" : "ends then"}`,
      ),
    );
  }
  return out;
}

/** When EKS upgrades a cluster on `running` by itself: at the end of the support its policy pays for. */
export function autoUpgrade(
  observed: Observed,
  running: KubernetesVersionSupport | undefined,
): { date: string; days: number; passed: boolean } | undefined {
  const policy = observed.cluster.supportType || "STANDARD";
  const date = policy === "EXTENDED" ? running?.endOfExtendedSupport : running?.endOfStandardSupport;
  if (!date) return undefined;
  const days = Math.ceil((Date.parse(date) - observed.observedAt) / DAY_MS);
  if (days > AUTO_UPGRADE_NOTICE_DAYS) return undefined;
  return { date, days, passed: days <= 0 };
}

export function describeSupport(v: KubernetesVersionSupport): string {
  if (v.status === "STANDARD_SUPPORT") return `standard support until ${v.endOfStandardSupport}`;
  if (v.status === "EXTENDED_SUPPORT") return `extended support until ${v.endOfExtendedSupport}`;
  if (v.status === "UNSUPPORTED") return `unsupported since ${v.endOfExtendedSupport}`;
  return v.status.toLowerCase();
}

/**
 * EKS's price per cluster and hour (https://aws.amazon.com/eks/pricing/): standard support, and
 * extended support (14 months more of a minor after its standard support ends).
 */
export const CLUSTER_HOUR_USD = { standard: 0.1, extended: 0.6 } as const;

/** Hours in a month as AWS bills them (730: 365 days × 24 / 12). */
const HOURS_PER_MONTH = 730;

/** What a cluster in this support costs a month on top of standard support (0 in standard support). */
export function extendedSupportExtraPerMonth(status: string | undefined): number {
  return status === "EXTENDED_SUPPORT"
    ? Math.round((CLUSTER_HOUR_USD.extended - CLUSTER_HOUR_USD.standard) * HOURS_PER_MONTH)
    : 0;
}
