import { type Finding, finding } from "./checks";
import type { Observed, Plan, Step } from "./model";

/**
 * `--only`: the targets a run may change, as `control-plane`, `addon:<name>` or `nodegroup:<name>`.
 * Everything else follows "current" (the adapter sets that); a step the plan still needs outside
 * the selection (a node group the control plane's move forces along, say) refuses the plan, naming
 * the step and why it is needed: the selection never bends the order or the skew policy.
 */
export function selectorOf(step: Step): string {
  if (step.kind === "controlPlane") return "control-plane";
  if (step.kind === "addon") return `addon:${step.target}`;
  return `nodegroup:${step.target}`;
}

/** The plan with a violation per step outside `only` and per selector the cluster lacks. */
export function restrictPlan(plan: Plan, observed: Observed, only: string[]): Plan {
  const known = new Set([
    "control-plane",
    ...observed.addons.map((a) => `addon:${a.name}`),
    ...observed.nodegroups.map((n) => `nodegroup:${n.name}`),
  ]);
  const violations: Finding[] = only
    .filter((s) => !known.has(s))
    .map((s) =>
      finding(
        "OUTSIDE_SELECTION",
        "only",
        `${s} is not a target of cluster ${plan.cluster} (it has: ${[...known].join(", ")})`,
      ),
    );
  const outside = plan.steps.filter((s) => !only.includes(selectorOf(s)));
  if (outside.length)
    violations.push(
      finding(
        "OUTSIDE_SELECTION",
        "only",
        `the plan also needs steps --only leaves out: ${outside.map((s) => `${s.id} (${s.reason})`).join("; ")}`,
      ),
    );
  return violations.length ? { ...plan, violations: [...plan.violations, ...violations] } : plan;
}
