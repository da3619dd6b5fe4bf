import type { AddonVersionInfo, ObservedAddon, StepRequest } from "./model";
import type { PlanDraft } from "./plan-draft";
import { addonPolicy } from "./spec";
import { addonMinorSeries, compareAddonVersions, parseAddonVersion } from "./versions";

/** Add-ons EKS itself refuses to move by more than one minor version per update. */
const EKS_ENFORCES_ONE_MINOR = new Set(["vpc-cni"]);

/** An add-on on its way: `addon.version` is where the plan has it so far. */
export interface AddonTarget {
  addon: ObservedAddon;
  final: string;
  latest: boolean;
  /** Its policy is "current" and the control plane moves: it follows only because it must. */
  forced?: boolean;
  resolveConflicts?: Extract<StepRequest, { kind: "addon" }>["resolveConflicts"];
}

/**
 * The add-on part of the plan: each add-on's final version at the target minor, and the waves
 * that take the add-ons there around each control-plane step, one minor version series per hop.
 */
export class AddonPlanner {
  constructor(private readonly draft: PlanDraft) {}

  /** Each installed add-on's final version at the target minor; an add-on that cannot get there is a violation. */
  targets(): AddonTarget[] {
    const out: AddonTarget[] = [];
    for (const addon of [...this.draft.observed.addons].sort((a, b) => a.name.localeCompare(b.name))) {
      const policy = addonPolicy(this.draft.spec, addon.name);
      const field = `addons.${addon.name}`;
      const atTarget = this.versionsAt(this.draft.to, addon.name);
      const current = addon.version;
      let final: string | undefined;
      // "current": what runs while the control plane stays; once it moves, the target's newest.
      const keep = policy.version === "current" && this.draft.from === this.draft.to;
      const newest = policy.version === "latest" || policy.version === "current";
      if (keep) {
        final = current;
      } else if (policy.version === "default" || newest) {
        const chosen = newest
          ? atTarget[0]?.version
          : (atTarget.find((v) => v.isDefault) ?? atTarget[0])?.version;
        if (chosen && compareAddonVersions(chosen, current) >= 0) {
          final = chosen;
        } else if (atTarget.some((v) => v.version === current)) {
          final = current;
          if (chosen) {
            this.draft.warning(
              "ADDON_KEPT_NEWER",
              field,
              `${addon.name} runs ${current}, newer than the ${newest ? "latest" : "default"} ${chosen} for Kubernetes ${this.draft.to}; it is kept`,
            );
          }
        } else {
          this.draft.violation(
            "ADDON_NO_UPGRADE_PATH",
            field,
            `${addon.name} ${current} is not compatible with Kubernetes ${this.draft.to}, and EKS offers no newer compatible version`,
          );
          continue;
        }
      } else {
        const pinned = policy.version;
        if (compareAddonVersions(pinned, current) < 0) {
          this.draft.violation(
            "ADDON_DOWNGRADE",
            field,
            `${addon.name} runs ${current}; ${pinned} would be a downgrade`,
          );
          continue;
        }
        if (!atTarget.some((v) => v.version === pinned)) {
          this.draft.violation(
            "ADDON_VERSION_UNKNOWN",
            field,
            `${addon.name} ${pinned} is not offered for Kubernetes ${this.draft.to} (newest: ${atTarget[0]?.version ?? "none"})`,
          );
          continue;
        }
        final = pinned;
      }
      out.push({
        addon,
        final,
        latest: newest,
        ...(policy.version === "current" && !keep ? { forced: true } : {}),
        resolveConflicts: policy.resolveConflicts,
      });
    }
    return out;
  }

  /**
   * One add-on wave per hop: every add-on's k-th hop toward its goal forms wave k, and a wave runs
   * together. `at` is the control plane's minor while the wave runs (each hop must be offered for
   * it); `goal` picks each add-on's version for this moment, or nothing.
   */
  waves(
    targets: AddonTarget[],
    at: string,
    goal: (t: AddonTarget) => string | undefined,
    reason: string,
  ): void {
    const hopsByAddon = targets.map((t) => {
      const g = goal(t);
      return { t, hops: g ? this.hops(t, at, g) : [] };
    });
    const waves = Math.max(0, ...hopsByAddon.map((h) => h.hops.length));
    for (let w = 0; w < waves; w++) {
      this.draft.nextPhase();
      for (const { t, hops } of hopsByAddon) {
        const to = hops[w];
        if (!to) continue;
        this.draft.push({
          id: `addon:${t.addon.name}:${to}`,
          kind: "addon",
          target: t.addon.name,
          from: w === 0 ? t.addon.version : (hops[w - 1] as string),
          to,
          reason:
            (w < hops.length - 1 ? `one offered version series at a time toward ${hops.at(-1)}` : reason) +
            (t.forced
              ? `; current: the control plane moves to ${this.draft.to}, so it follows to the newest`
              : ""),
          request: { kind: "addon", addonVersion: to, resolveConflicts: t.resolveConflicts },
        });
      }
    }
    // Where these hops end is where the next ones start.
    for (const { t, hops } of hopsByAddon)
      if (hops.length) t.addon = { ...t.addon, version: hops.at(-1) as string };
  }

  /**
   * Before the control plane leaves `current` for `next`: an add-on that `next` does not offer
   * moves first to a version both minors offer, when one exists (vpc-cni builds span minors).
   * Add-ons built per minor (kube-proxy) have none and follow after the control plane.
   */
  goalBefore(t: AddonTarget, current: string, next: string): string | undefined {
    const name = t.addon.name;
    if (this.offers(next, name, t.addon.version)) return undefined;
    // Move as little as possible ahead of the control plane: the lowest series both minors offer.
    const both = this.versionsAt(current, name)
      .map((v) => v.version)
      .filter((v) => this.offers(next, name, v))
      .filter((v) => compareAddonVersions(v, t.addon.version) > 0 && compareAddonVersions(v, t.final) <= 0);
    const lowest = [...both].sort(compareAddonVersions)[0];
    return lowest && both.find((v) => addonMinorSeries(v) === addonMinorSeries(lowest));
  }

  /**
   * Once the control plane runs `minor`: the final version at the target minor; on the way, what
   * the policy picks for this minor (never past the final one), and at least a version it offers.
   */
  goalAfter(t: AddonTarget, minor: string): string | undefined {
    if (minor === this.draft.to)
      return compareAddonVersions(t.final, t.addon.version) > 0 ? t.final : undefined;
    const current = t.addon.version;
    const available = this.versionsAt(minor, t.addon.name).filter(
      (v) => compareAddonVersions(v.version, t.final) <= 0,
    );
    const picked = t.latest
      ? available[0]?.version
      : (available.find((v) => v.isDefault) ?? available[0])?.version;
    if (picked && compareAddonVersions(picked, current) > 0) return picked;
    if (this.offers(minor, t.addon.name, current)) return undefined;
    const newer = [...available].reverse().find((v) => compareAddonVersions(v.version, current) > 0)?.version;
    if (!newer) {
      this.draft.violation(
        "ADDON_NO_UPGRADE_PATH",
        `addons.${t.addon.name}`,
        `${t.addon.name} ${current} is not offered for Kubernetes ${minor}, and no newer version up to ${t.final} is`,
      );
    }
    return newer;
  }

  /**
   * The versions an add-on goes through from where it is to `goal`, all offered for `at`: one
   * minor version series at a time (AWS's advice; EKS enforces it for vpc-cni), the newest build
   * of each series on the way.
   */
  private hops(t: AddonTarget, at: string, goal: string): string[] {
    const available = this.versionsAt(at, t.addon.name).filter(
      (v) => compareAddonVersions(v.version, goal) <= 0,
    );
    const hops: string[] = [];
    let from = t.addon.version;
    const goalSeries = addonMinorSeries(goal);
    for (;;) {
      const next = available
        .map((v) => v.version)
        .filter((v) => compareAddonVersions(v, from) > 0 && addonMinorSeries(v) !== addonMinorSeries(from))
        .sort(compareAddonVersions)[0];
      const series = next && addonMinorSeries(next);
      const hop =
        series === goalSeries || !next
          ? goal
          : available.find((v) => addonMinorSeries(v.version) === series)?.version;
      if (!hop) return hops;
      if (EKS_ENFORCES_ONE_MINOR.has(t.addon.name) && !oneMinorApart(from, hop)) {
        this.draft.violation(
          "ADDON_NO_UPGRADE_PATH",
          `addons.${t.addon.name}`,
          `${t.addon.name} cannot move from ${from} to ${hop} in one update (one minor version at a time), and Kubernetes ${at} offers nothing in between`,
        );
        return [];
      }
      hops.push(hop);
      if (hop === goal) return hops;
      from = hop;
    }
  }

  private offers(minor: string, addon: string, version: string): boolean {
    return this.versionsAt(minor, addon).some((v) => v.version === version);
  }

  private versionsAt(minor: string, addon: string): AddonVersionInfo[] {
    return this.draft.catalog.addonVersions[minor]?.[addon] ?? [];
  }
}

function oneMinorApart(from: string, to: string): boolean {
  const a = parseAddonVersion(from);
  const b = parseAddonVersion(to);
  return !!a && !!b && a.major === b.major && Math.abs(b.minor - a.minor) <= 1;
}
