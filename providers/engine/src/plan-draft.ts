import { type CheckName, type Finding, finding } from "./checks";
import { estimateMinutes } from "./estimates";
import type { Observed, ObservedNodegroup, ResolvedCatalog, Step } from "./model";
import type { DesiredSpec } from "./spec";

/** A step as the planner builds it: phase and estimate are added when it is pushed. */
export type DraftStep = Omit<Step, "phase" | "estimatedMinutes"> & { nodegroup?: ObservedNodegroup };

/**
 * The plan while it is being made, shared by the planner's parts (cluster checks, add-ons, node
 * groups): what it reads, and the steps and findings collected so far. Phases only go up; the
 * finished plan renumbers them densely.
 */
export class PlanDraft {
  readonly violations: Finding[] = [];
  readonly warnings: Finding[] = [];
  readonly steps: Step[] = [];
  private phase = 0;
  /** The control plane's minor as observed, and the target minor. */
  readonly from: string;
  readonly to: string;

  constructor(
    readonly spec: DesiredSpec,
    readonly observed: Observed,
    readonly catalog: ResolvedCatalog,
  ) {
    this.from = observed.cluster.version;
    this.to = spec.clusterVersion;
  }

  /** Steps pushed from now on run after every step pushed before. */
  nextPhase(): void {
    this.phase++;
  }

  push(s: DraftStep): void {
    const { nodegroup, ...step } = s;
    this.steps.push({
      ...step,
      phase: this.phase,
      estimatedMinutes: estimateMinutes(step.request, nodegroup),
    });
  }

  violation(name: CheckName, field: string, message: string, remedy?: string): void {
    this.violations.push(finding(name, field, message, remedy));
  }

  warning(name: CheckName, field: string, message: string): void {
    this.warnings.push(finding(name, field, message));
  }
}
