import { amiFamily, releaseImageParameter } from "./ami";
import type { Observed, ObservedNodegroup } from "./model";
import { parseRelease } from "./releases";
import { type DesiredSpec, nodeGroupPolicy } from "./spec";
import { allowedKubeletSkew, compareMinor, minorDistance, minorsBetween } from "./versions";

/*
 * What a plan needs to know before it is made: resolve asks EKS and SSM for exactly these, and
 * the planner uses the same node schedule when it places the skew steps.
 */

export const releaseKey = (amiType: string, minor: string) => `${amiType}@${minor}`;

/**
 * The (AMI type, minor) pairs whose newest release the plan needs: every node group's target
 * minor, and the minors where the kubelet skew forces a node group to move between control-plane
 * steps. Resolve asks SSM for exactly these.
 */
export function releaseLookups(spec: DesiredSpec, observed: Observed): { amiType: string; minor: string }[] {
  const pairs = new Map<string, { amiType: string; minor: string }>();
  const add = (amiType: string, minor: string) => {
    if (amiFamily(amiType)) pairs.set(releaseKey(amiType, minor), { amiType, minor });
  };
  for (const { nodegroup, minor } of nodeSchedule(
    observed.nodegroups,
    observed.cluster.version,
    spec.clusterVersion,
  )) {
    add(nodegroup.amiType, minor);
  }
  for (const ng of observed.nodegroups) {
    if (compareMinor(spec.clusterVersion, ng.version) >= 0) add(ng.amiType, spec.clusterVersion);
  }
  return [...pairs.values()];
}

export const pinKey = (amiType: string, minor: string, release: string) => `${amiType}@${minor}@${release}`;

/**
 * The pinned AMI releases to look up before any change, each with the SSM parameter AWS publishes
 * for exactly that release: every node group pinned to a release of its family for the target
 * minor. A pin of another form or minor is refused by the planner without a lookup; a Windows
 * release has no such parameter (the planner says what it does about that).
 */
export function pinLookups(spec: DesiredSpec, observed: Observed): { key: string; parameter: string }[] {
  const minor = spec.clusterVersion;
  const out = new Map<string, string>();
  for (const ng of observed.nodegroups) {
    const pinned = nodeGroupPolicy(spec, ng.name).amiReleaseVersion;
    if (pinned === "latest" || pinned === "current") continue;
    const release = parseRelease(ng.amiType, pinned);
    if (!release || (release.minor !== undefined && release.minor !== minor)) continue;
    const parameter = releaseImageParameter(ng.amiType, minor, pinned);
    if (parameter) out.set(pinKey(ng.amiType, minor, pinned), parameter);
  }
  return [...out].map(([key, parameter]) => ({ key, parameter }));
}

/**
 * Minors whose add-on versions the plan needs: the running one (add-ons may have to move before
 * the first control-plane step) and each one on the path; the target alone when it is the running one.
 */
export function addonLookups(spec: DesiredSpec, observed: Observed): string[] {
  const from = observed.cluster.version;
  const to = spec.clusterVersion;
  if (compareMinor(to, from) < 0) return [];
  return [from, ...minorsBetween(from, to)];
}

/**
 * Where node groups must move before a control-plane step so no kubelet falls further behind the
 * API server than the skew policy allows: `before` is the control-plane minor they are taken to.
 */
export function nodeSchedule(nodegroups: ObservedNodegroup[], from: string, to: string) {
  const versions = new Map(nodegroups.map((n) => [n.name, n.version]));
  const forced: { nodegroup: ObservedNodegroup; minor: string; before: string }[] = [];
  if (compareMinor(to, from) <= 0) return forced;
  let cp = from;
  for (const m of minorsBetween(from, to)) {
    for (const ng of nodegroups) {
      const v = versions.get(ng.name) ?? ng.version;
      if (minorDistance(v, m) > allowedKubeletSkew(v)) {
        forced.push({ nodegroup: ng, minor: cp, before: m });
        versions.set(ng.name, cp);
      }
    }
    cp = m;
  }
  return forced;
}
