import { estimatePlanMinutes } from "./estimates";
import type { Plan, Step, Target } from "./model";

/** How plans and their findings name steps and targets. */

function stepName(s: Step): string {
  const what = {
    controlPlane: "control plane",
    addon: "add-on",
    nodegroup: "node group",
    nodegroupConfig: "node group config",
  }[s.kind];
  return s.kind === "controlPlane" ? what : `${what} ${s.target}`;
}

export function formatStep(s: Step, index: number): string {
  // What, where to and how long first; the reason last, where a wrap (see text.ts) can move it.
  return `${index + 1}. [phase ${s.phase}] ${stepName(s)}: ${s.from} -> ${s.to} (~${s.estimatedMinutes} min): ${s.reason}`;
}

/**
 * A step as `pulumi preview` shows it: one item of the plan, its parts on lines of their own
 * (Pulumi's diff display sorts the keys: step, versions, why), each well within the 150
 * characters the display shows of a string.
 */
export interface PlanItem {
  step: string;
  versions: string;
  why: string;
}

export function planItem(s: Step, index: number): PlanItem {
  return {
    step: `${index + 1}. ${stepName(s)} (phase ${s.phase}, ~${s.estimatedMinutes} min)`,
    versions: `${s.from} -> ${s.to}`,
    why: s.reason,
  };
}

/** The plan's total, as the CLI's table and markdown say it: "19 steps, ~62 min (node groups one at a time)". */
export function planEstimate(plan: Pick<Plan, "steps">, concurrency: number): string {
  const n = plan.steps.length;
  if (!n) return "nothing to do";
  const lanes = concurrency === 1 ? "one at a time" : `${concurrency} at a time`;
  return `${n} step${n === 1 ? "" : "s"}, ~${estimatePlanMinutes(plan, concurrency)} min (the add-ons of one phase together, node groups ${lanes})`;
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
