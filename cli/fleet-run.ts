import type { Fleet } from "../infra/fleet";

/**
 * The order of a fleet rollout, apart from how a stack is run: the stages one after another, each
 * stage's stacks `maxParallel` at a time in the fleet file's order; a stage stops starting stacks
 * once more than `maxFailures` have failed, when a cluster is paused, or when the operator stops
 * the run; the next stage starts only when the stage finished within its budget and soaked.
 * `eks-upgrade fleet up` runs stacks with the Pulumi Automation API (fleet-up.ts); tests and the
 * benchmark run the same order with their own `StackRunner`.
 */

/** How one stack's run ended. */
export type StackOutcome =
  /** `pulumi up` finished. */
  | "succeeded"
  /** It failed (a refused plan, a failed update, ...). */
  | "failed"
  /** Its cluster is paused (eks-upgrade pause, or the health gate): the fleet stops. */
  | "paused"
  /** The operator stopped the fleet while it ran: it stopped after its step in flight. */
  | "stopped"
  /** It never started: an earlier stage, the budget, a pause or a stop held it. */
  | "notStarted";

export interface StackResult {
  stage: string;
  stack: string;
  outcome: StackOutcome;
  /** When it started and ended (ms since the epoch, this machine's clock). */
  startedAt?: number | undefined;
  endedAt?: number | undefined;
  /** What it did ("1.35 -> 1.36: 9 steps"), or why it failed (the run's error, first line first). */
  summary?: string | undefined;
}

export type StageOutcome = "succeeded" | "failed" | "paused" | "stopped" | "notStarted";

export interface StageResult {
  name: string;
  outcome: StageOutcome;
  maxParallel: number;
  maxFailures: number;
  failed: number;
  /** The soak after the stage, when the next stage waited for it. */
  soak?: { hours: number; until: string; waitedSeconds: number } | undefined;
}

export interface FleetRunResult {
  /** succeeded: every stage ran (stacks may have failed within a budget, `failedStacks`). */
  outcome: Exclude<StageOutcome, "notStarted">;
  stages: StageResult[];
  stacks: StackResult[];
  failedStacks: string[];
}

export interface StackRunner {
  /** Runs one stack's upgrade to the end, or until `stop` aborts (then after its step in flight). */
  up(stage: string, stack: string, stop: AbortSignal): Promise<Omit<StackResult, "stage" | "stack">>;
  /**
   * Waits until the stage's stacks have run what they run for `hours` (EKS's time); resolves
   * early when `stop` aborts. Returns when the soak ends (ISO 8601) and how long it waited here.
   */
  soak(
    stage: string,
    stacks: readonly string[],
    hours: number,
    stop: AbortSignal,
  ): Promise<{ until: string; waitedSeconds: number }>;
}

export type FleetEvent =
  | {
      type: "stageStarted";
      stage: string;
      stacks: readonly string[];
      maxParallel: number;
      maxFailures: number;
    }
  | { type: "stackStarted"; stage: string; stack: string }
  | { type: "stackFinished"; result: StackResult }
  | { type: "stageFinished"; stage: StageResult }
  | { type: "soakStarted"; stage: string; hours: number };

export interface FleetRunOptions {
  /** Only this stage (its stacks' promotion gates still check the stage before). */
  stage?: string | undefined;
  /** Aborted by the operator (Ctrl-C, a cancelled job): no new stack starts, no soak goes on. */
  stop: AbortSignal;
  onEvent?: (e: FleetEvent) => void;
}

export async function runFleet(
  fleet: Fleet,
  runner: StackRunner,
  options: FleetRunOptions,
): Promise<FleetRunResult> {
  const { stop } = options;
  const emit = options.onEvent ?? (() => {});
  const stages = options.stage ? fleet.stages.filter((s) => s.name === options.stage) : fleet.stages;
  const stageResults: StageResult[] = [];
  const stackResults: StackResult[] = [];
  let outcome: FleetRunResult["outcome"] = "succeeded";

  for (const [i, stage] of stages.entries()) {
    const base = {
      name: stage.name,
      maxParallel: stage.maxParallel,
      maxFailures: stage.maxFailures,
      failed: 0,
    };
    if (outcome !== "succeeded") {
      stageResults.push({ ...base, outcome: "notStarted" });
      stackResults.push(...stage.selected.map((stack) => notStarted(stage.name, stack)));
      continue;
    }
    emit({ type: "stageStarted", stage: stage.name, stacks: stage.selected, ...base });
    const results = new Map<string, StackResult>();
    let failed = 0;
    let halt: StageOutcome | undefined;
    const queue = [...stage.selected];
    const lane = async () => {
      for (let stack = queue.shift(); stack !== undefined; stack = queue.shift()) {
        if (stop.aborted) halt ??= "stopped";
        if (halt) break;
        emit({ type: "stackStarted", stage: stage.name, stack });
        const ran = await runner.up(stage.name, stack, stop);
        const result: StackResult = { stage: stage.name, stack, ...ran };
        results.set(stack, result);
        if (result.outcome === "failed" && ++failed > stage.maxFailures) halt ??= "failed";
        if (result.outcome === "paused") halt ??= "paused";
        if (result.outcome === "stopped") halt ??= "stopped";
        emit({ type: "stackFinished", result });
      }
    };
    await Promise.all(Array.from({ length: Math.min(stage.maxParallel, stage.selected.length) }, lane));
    // (A failure past the budget set `halt`; within it, a stage whose every stack failed is not done.)
    const stageOutcome: StageOutcome = halt ?? (failed === stage.selected.length ? "failed" : "succeeded");
    const result: StageResult = { ...base, failed, outcome: stageOutcome };
    stackResults.push(...stage.selected.map((s) => results.get(s) ?? notStarted(stage.name, s)));
    const next = stages[i + 1];
    if (stageOutcome === "succeeded" && next && stage.soakHours > 0) {
      emit({ type: "soakStarted", stage: stage.name, hours: stage.soakHours });
      const ran = stage.selected.filter((s) => results.get(s)?.outcome === "succeeded");
      const soaked = await runner.soak(stage.name, ran, stage.soakHours, stop);
      result.soak = { hours: stage.soakHours, ...soaked };
      if (stop.aborted) result.outcome = "stopped";
    }
    stageResults.push(result);
    emit({ type: "stageFinished", stage: result });
    if (result.outcome !== "succeeded") outcome = result.outcome as FleetRunResult["outcome"];
  }
  return {
    outcome,
    stages: stageResults,
    stacks: stackResults,
    failedStacks: stackResults.filter((s) => s.outcome === "failed").map((s) => s.stack),
  };
}

function notStarted(stage: string, stack: string): StackResult {
  return { stage, stack, outcome: "notStarted" };
}
