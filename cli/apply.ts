import { createInterface } from "node:readline/promises";
import {
  type Clients,
  type DesiredSpec,
  execute,
  type ExecutionResult,
  type Inspection,
  type Observed,
  observe,
  type KeyRenderer,
  type Plan,
  type ProgressEvent,
  formatDuration as duration,
  UpgradeAbortedError,
  HealthGateError,
  UpgradeError,
  UpgradeStoppedError,
} from "@eks-upgrade/engine";
import Table from "cli-table3";
import { CliError, EXIT } from "./errors";
import { progressDisplay } from "./progress";

export interface ApplyOptions {
  /** How failures name spec keys: flags, or stack file keys. */
  keys: KeyRenderer;
  yes: boolean;
  tty: boolean;
  timeScale: number;
  write: (line: string) => void;
  /** Every progress event, besides the display (apply --format json collects them). */
  onEvent?: (e: ProgressEvent) => void;
}

/**
 * Runs an inspection's plan after confirmation, with live progress; Ctrl-C stops after the step in
 * flight (twice: after the current poll) and a re-run resumes. The summary's "before" is the state the plan was made from.
 */
export async function applyPlan(
  clients: Clients,
  spec: DesiredSpec,
  { plan, observed: before }: Inspection,
  o: ApplyOptions,
): Promise<ExecutionResult | undefined> {
  if (plan.violations.length)
    throw new CliError("the plan has violations: nothing was changed", EXIT.refused);
  if (!plan.steps.length) return undefined;
  if (!o.yes) await confirm(plan, process.stdout);
  // Ctrl-C once: stop after the steps in flight. Again, or SIGTERM (a cancelled CI job sends
  // SIGINT, then SIGTERM seconds later): stop after the current poll, naming the updates that go
  // on in EKS. Once more: quit at once.
  const afterStep = new AbortController();
  const now = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (now.signal.aborted) process.exit(EXIT.interrupted);
    if (signal === "SIGINT" && !afterStep.signal.aborted) {
      o.write(
        `${signal}: stopping after the step in flight (Ctrl-C again to stop after the current poll; the update goes on in EKS).`,
      );
      afterStep.abort(`${signal} received`);
      return;
    }
    o.write(
      `${signal}: stopping after the current poll (again to quit at once); updates already started go on in EKS.`,
    );
    now.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const display = progressDisplay(o.tty, o.timeScale, o.write);
  try {
    const result = await execute(clients, spec, plan, {
      timeScale: o.timeScale,
      signal: now.signal,
      stopAfterStep: afterStep.signal,
      onEvent: (e) => {
        display.onEvent(e);
        o.onEvent?.(e);
      },
    });
    display.stop();
    const after = await observe(clients, spec.clusterName);
    o.write(summary(before, after, result, o.timeScale));
    return result;
  } catch (e) {
    display.stop();
    if (e instanceof UpgradeAbortedError || e instanceof UpgradeStoppedError)
      throw new CliError(e.message, EXIT.interrupted, { cause: e });
    if (e instanceof UpgradeError) throw new CliError(e.describe(o.keys), EXIT.failed, { cause: e });
    if (e instanceof HealthGateError) throw new CliError(e.describe(o.keys), EXIT.failed, { cause: e });
    throw e;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** Asks before anything is written; a plan refused by insights alone asks to evaluate them again. */
export async function confirm(plan: Plan, output: NodeJS.WritableStream): Promise<void> {
  await ask(
    plan.steps.length
      ? `Apply these ${plan.steps.length} steps to cluster ${plan.cluster}? [y/N] `
      : `Only upgrade insights refuse this plan: have EKS evaluate them again (StartInsightsRefresh) and apply the plan they allow? [y/N] `,
    output,
  );
}

/** A yes/no question at the terminal: anything but yes changes nothing; no terminal needs --yes. */
export async function ask(question: string, output: NodeJS.WritableStream): Promise<void> {
  if (!process.stdin.isTTY)
    throw new CliError("--yes is required when stdin is not a terminal (nothing was changed)");
  const rl = createInterface({ input: process.stdin, output });
  try {
    const answer = await rl.question(question);
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError("not confirmed: nothing was changed", EXIT.ok);
  } finally {
    rl.close();
  }
}

function summary(before: Observed, after: Observed, result: ExecutionResult, timeScale: number): string {
  const versions = new Table({ head: ["", "before", "after"], style: { head: [], border: [] } });
  versions.push(["control plane", before.cluster.version, after.cluster.version]);
  for (const a of after.addons)
    versions.push([
      `add-on ${a.name}`,
      before.addons.find((b) => b.name === a.name)?.version ?? "-",
      a.version,
    ]);
  for (const n of after.nodegroups) {
    const b = before.nodegroups.find((x) => x.name === n.name);
    versions.push([
      `node group ${n.name}`,
      `${b?.version} ${b?.releaseVersion}`,
      `${n.version} ${n.releaseVersion}`,
    ]);
  }
  // Against the emulator the clock runs faster: its durations are simulated, and say so.
  const simulated = timeScale !== 1 ? ` (simulated time, ${Math.round(1 / timeScale)}x faster)` : "";
  const steps = new Table({
    head: ["step", "outcome", simulated ? "duration (simulated)" : "duration"],
    style: { head: [], border: [] },
  });
  for (const s of result.steps) steps.push([s.id, s.outcome, duration(s.durationMs / timeScale)]);
  return [
    "",
    "Versions",
    versions.toString(),
    "Steps",
    steps.toString(),
    `Total: ${duration(result.durationMs / timeScale)}${simulated}`,
  ].join("\n");
}
