import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Fleet } from "../infra/fleet";
import { CliError, EXIT } from "./errors";
import { clusterRefOf, stageNamed } from "./fleet-stacks";
import { eksNow, lastChange } from "./soak";

/**
 * `eks-upgrade fleet gate`, the job after each stage of the rollout workflow: may the next stage
 * start? Not once more of the stage's stacks failed than `maxFailures` (a stack that recorded no
 * outcome did not run to the end: a failure), and not before the stage has soaked `soakHours` on
 * EKS's clock since its last change, as `fleet up` waits. The gate says until when, so the next
 * stage's jobs do not start only to have their promotion gates refuse them one by one.
 *
 * `runId` (GITHUB_RUN_ID in the workflow) makes the remedy the exact command that re-runs it.
 */
export async function fleetGate(
  fleet: Fleet,
  stageName: string,
  outcomes: string,
  runId?: string,
): Promise<string> {
  const stage = stageNamed(fleet, stageName);
  const recorded = existsSync(outcomes) ? readdirSync(outcomes) : [];
  const outcome = (stack: string) =>
    recorded.includes(stack) ? readFileSync(join(outcomes, stack), "utf8").trim() : "no outcome recorded";
  const failed = stage.selected.filter((s) => outcome(s) !== "success");
  const named = failed.map((s) => `${s} (${outcome(s)})`).join(", ");
  const line = `stage ${stage.name}: ${stage.selected.length - failed.length} of ${stage.selected.length} stacks done${failed.length ? `; failed: ${named}` : ""}`;
  if (failed.length > stage.maxFailures)
    throw new CliError(
      `${line}: more than maxFailures ${stage.maxFailures}. No later stage starts; fix the failed stacks and run the rollout again (finished steps are not repeated).`,
      EXIT.failed,
    );
  const budget = `${line} (maxFailures ${stage.maxFailures})`;
  const next = fleet.stages[fleet.stages.indexOf(stage) + 1];
  if (!next) return `${budget}: the rollout's last stage is done`;
  if (!stage.soakHours) return `${budget}: stage ${next.name} may start`;

  const done = stage.selected.filter((s) => outcome(s) === "success");
  const { last, unreadable } = await lastChange(done);
  if (unreadable.length)
    throw new CliError(
      `${budget}; its soak cannot be told: ${unreadable.map((u) => `${u.stack}: ${u.error}`).join("; ")}. Stage ${next.name} does not start; check the Pulumi login of this job.`,
      EXIT.failed,
    );
  // Nothing recorded a change: nothing to soak (the next stage's promotion gates say what is missing).
  if (!last) return `${budget}; no stack recorded a change, nothing to soak: stage ${next.name} may start`;
  const until = last.at + stage.soakHours * 3_600_000;
  const soaked = `${stage.soakHours} hours after ${last.stack}'s last change at ${iso(last.at)}`;
  const now = await eksNow(clusterRefOf(last.stack));
  if (now < until)
    throw new CliError(
      `${budget}; soaking until ${iso(until)} (${soaked}; ${hoursLeft(until - now)} from now, EKS's time). Stage ${next.name} does not start before; then ${
        runId ? `re-run this run's failed jobs (gh run rerun ${runId} --failed)` : "run this gate again"
      }: finished steps are not repeated.`,
      EXIT.failed,
    );
  return `${budget}; soaked since ${iso(until)} (${soaked}): stage ${next.name} may start`;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** 47 h 12 min, 5 min: what is left, rounded up to the minute. */
function hoursLeft(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}
