import type { Step, Target } from "./model";

/** How plans and their findings name steps and targets. */

export function formatStep(s: Step, index: number): string {
  const what = {
    controlPlane: "control plane",
    addon: "add-on",
    nodegroup: "node group",
    nodegroupConfig: "node group config",
  }[s.kind];
  const target = s.kind === "controlPlane" ? "" : ` ${s.target}`;
  // What, where to and how long first; the reason last, where a wrap (see text.ts) can move it.
  return `${index + 1}. [phase ${s.phase}] ${what}${target}: ${s.from} -> ${s.to} (~${s.estimatedMinutes} min): ${s.reason}`;
}

export function sameTarget(a: Target, b: Target): boolean {
  return a.kind === b.kind && (a.kind === "controlPlane" || a.name === (b as { name: string }).name);
}

export function fieldOf(t: Target): string {
  return t.kind === "controlPlane"
    ? "clusterVersion"
    : t.kind === "nodegroup"
      ? `nodeGroups.${t.name}`
      : `addons.${t.name}`;
}

export function describeTarget(t: Target): string {
  return t.kind === "controlPlane"
    ? "the control plane"
    : `${t.kind === "nodegroup" ? "node group" : "add-on"} ${t.name}`;
}

export function issuesText(issues: { code: string; message: string }[]): string {
  return issues.length ? ` (${issues.map((i) => `${i.code}: ${i.message}`).join("; ")})` : "";
}
