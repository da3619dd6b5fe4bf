import {
  type ClusterRef,
  createClients,
  destroyClients,
  pausedCluster,
  readPause,
} from "@eks-upgrade/engine";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { clusterRefOf } from "./fleet-stacks";
import type { FleetEvent, FleetRunResult, StackResult, StackRunner } from "./fleet-run";
import { lastChange, untilEksTime } from "./soak";

/**
 * How `eks-upgrade fleet up` runs a stack: `pulumi up` through the Pulumi Automation API
 * (LocalWorkspace on the project directory, the `pulumi` on PATH, its own login and backend), the
 * same program and ClusterUpgrade as a `pulumi up --stack` by hand. A stack must exist already
 * (`pulumi stack init`): a fleet run never creates one, since a new empty stack of a managed
 * cluster would create a cluster.
 */
export function automationRunner(
  dir: string,
  /** The engine's progress lines of each running stack ("[eks-upgrade <cluster>] ..." stripped). */
  onLine: (stack: string, text: string) => void,
): StackRunner {
  return {
    async up(_stage, stackName, stop) {
      const startedAt = Date.now();
      const errors: string[] = [];
      // The operator's stop reaches this stack's pulumi as one SIGINT, never two (pulumi terminates
      // at once on the second). A terminal's Ctrl-C already went to every process of the job,
      // this pulumi too: nothing to send. Otherwise the signal came to this process alone (a
      // cancelled job), unless pulumi says it heard one itself within SIGNAL_SEEN_MS.
      let cancelling = false;
      const interrupt = new AbortController();
      const forward = () => {
        if (stop.reason === FROM_TERMINAL) return;
        setTimeout(() => {
          if (!cancelling) interrupt.abort();
        }, SIGNAL_SEEN_MS).unref();
      };
      stop.addEventListener("abort", forward, { once: true });
      try {
        // Loaded here, not at the top: the Automation API takes half a second to load, which every
        // other command (status, plan, apply) would pay at start.
        const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
        const stack = await LocalWorkspace.selectStack({ stackName, workDir: dir });
        const result = await stack.up({
          color: "never",
          signal: interrupt.signal,
          onEvent: (e: EngineEvent) => {
            // Pulumi took an interrupt: say so under the stack, so the operator sees each one heard it.
            const heard = /\S+ received; (cancelling|terminating)/.exec(e.stdoutEvent?.message ?? "");
            if (heard) {
              if (heard[1] === "cancelling") cancelling = true;
              onLine(stackName, `pulumi: ${heard[0]}`);
            }
            const d = e.diagnosticEvent;
            if (!d) return;
            const line = /^\[eks-upgrade [^\]]+\] (.*)$/s.exec(d.message.trim());
            if (line?.[1]) onLine(stackName, line[1]);
            else if (d.severity === "error") errors.push(d.message.trim());
          },
        });
        // lastRun is the last run that changed something: say so only when this one did.
        const lastRun = result.outputs.lastRun?.value;
        const { same = 0, ...changed } = result.summary.resourceChanges ?? {};
        const moved = Object.values(changed).some((n) => (n ?? 0) > 0);
        return {
          outcome: "succeeded",
          startedAt,
          endedAt: Date.now(),
          summary:
            moved && typeof lastRun === "string" ? lastRun : `nothing to do (${same} resources unchanged)`,
        };
      } catch (e) {
        const why = failure(errors, e);
        const base = { startedAt, endedAt: Date.now() };
        if (stop.aborted) return { ...base, outcome: "stopped", summary: why };
        const paused = await pauseOf(stackName);
        return paused
          ? { ...base, outcome: "paused", summary: paused }
          : { ...base, outcome: "failed", summary: why };
      } finally {
        stop.removeEventListener("abort", forward);
      }
    },

    async soak(_stage, stacks, hours, stop) {
      const started = Date.now();
      const { last } = await lastChange(stacks);
      // Nothing ran (or no run recorded when): the next stage's promotion gate says what is missing.
      if (!last) return { until: new Date().toISOString(), waitedSeconds: 0 };
      const until = last.at + hours * 3_600_000;
      await untilEksTime(clusterRefOf(last.stack), until, stop);
      return {
        until: new Date(until).toISOString(),
        waitedSeconds: Math.round((Date.now() - started) / 1000),
      };
    },
  };
}

/**
 * The reason of the operator's stop (AbortController.abort) when it is a Ctrl-C typed at the
 * terminal fleet up runs in: the line discipline sent that SIGINT to the whole foreground process
 * group, every running stack's pulumi included.
 */
export const FROM_TERMINAL = "a Ctrl-C at the terminal";

/**
 * How long after a stop that did not come from the terminal a running stack's pulumi may still say
 * it heard an interrupt itself (a signal to the whole process group) before the runner sends it its
 * one SIGINT. Pulumi's word comes through its event stream, which a loaded machine delays.
 */
const SIGNAL_SEEN_MS = 2_000;

/** The run's own error (the provider's message), not pulumi's "update failed" around it. */
function failure(errors: string[], e: unknown): string {
  const own = errors
    .filter((m) => !/^(error: )?update failed$/.test(m))
    // Pulumi wraps a provider's error in "1 error occurred:\n\t* <error>": the error is the news.
    .map((m) => m.replace(/^\d+ errors? occurred:\s*/, "").replace(/^\s*\* /gm, ""));
  if (own.length) return own.join("\n");
  const text = (e as Error).message ?? String(e);
  const stderr = /stderr: ([\s\S]*?)(\n\s*err\?:|$)/.exec(text)?.[1]?.trim();
  return stderr || text.split("\n")[0] || "pulumi up failed";
}

/** Why the stack's cluster is paused, when it is (the engine stopped because of it). */
async function pauseOf(stack: string): Promise<string | undefined> {
  let ref: ClusterRef;
  try {
    ref = clusterRefOf(stack);
  } catch {
    return undefined;
  }
  const clients = createClients(ref);
  try {
    const p = await readPause(clients.eks, ref.clusterName);
    return p ? pausedCluster(ref.clusterName, p) : undefined;
  } catch {
    return undefined;
  } finally {
    destroyClients(clients);
  }
}

const OUTCOME_WORDS: Record<StackResult["outcome"], string> = {
  succeeded: "succeeded",
  failed: "FAILED",
  paused: "paused",
  stopped: "stopped",
  notStarted: "not started",
};

/** The lines a person reads while the fleet runs (plain lines: a terminal and a CI log alike). */
export function fleetEventLine(e: FleetEvent): string | undefined {
  switch (e.type) {
    case "stageStarted":
      return `stage ${e.stage}: ${e.stacks.length} stack${e.stacks.length === 1 ? "" : "s"}, ${e.maxParallel} at a time, at most ${e.maxFailures} may fail`;
    case "stackStarted":
      return `  ${e.stack}: pulumi up`;
    case "stackFinished": {
      const r = e.result;
      const took = r.startedAt && r.endedAt ? ` in ${Math.round((r.endedAt - r.startedAt) / 1000)} s` : "";
      const first = r.summary?.split("\n")[0];
      return `  ${r.stack}: ${OUTCOME_WORDS[r.outcome]}${took}${first ? `: ${first}` : ""}`;
    }
    case "soakStarted":
      return `stage ${e.stage}: soaking ${e.hours} hours (EKS's time) before the next stage`;
    case "stageFinished": {
      const s = e.stage;
      const soak = s.soak ? `; soaked until ${s.soak.until} (waited ${s.soak.waitedSeconds} s here)` : "";
      return `stage ${s.name}: ${s.outcome}${s.failed ? ` (${s.failed} failed, at most ${s.maxFailures} may)` : ""}${soak}`;
    }
  }
}

/** The summary after the run: what each stage and stack did, and what to do next. */
export function fleetSummary(r: FleetRunResult, rerun: string): string {
  const lines = [""];
  const started = r.stacks.filter((s) => s.outcome !== "notStarted").length;
  lines.push(
    `fleet ${r.outcome}: ${r.stacks.filter((s) => s.outcome === "succeeded").length} of ${r.stacks.length} stacks succeeded, ${started} ran`,
  );
  for (const s of r.stacks.filter((x) => x.outcome !== "succeeded" && x.outcome !== "notStarted"))
    lines.push(`  ${s.stage}/${s.stack}: ${OUTCOME_WORDS[s.outcome]}: ${s.summary?.split("\n")[0] ?? ""}`);
  const waiting = r.stages.filter((s) => s.outcome === "notStarted").map((s) => s.name);
  if (waiting.length) lines.push(`not started: stage ${waiting.join(", ")}`);
  if (r.outcome === "paused")
    lines.push(`A cluster is paused: eks-upgrade resume --stack <stack> when it may go on, then ${rerun}.`);
  else if (r.outcome === "stopped" || r.outcome === "failed" || r.failedStacks.length)
    lines.push(`Run ${rerun} again to go on: stacks already done do nothing (every update is issued once).`);
  return lines.join("\n");
}
