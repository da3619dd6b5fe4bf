import { CHECKS } from "./checks";
import type { ProgressEvent } from "./execute";

/** A duration as people read it: 10m02s, 45s. Against the emulator, pass simulated milliseconds. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** A step still running says so this often (in the time the lines show), so a log never goes quiet for long. */
const HEARTBEAT_MS = 10 * 60_000;

/**
 * One line per step event, for logs (the CLI off a terminal, `pulumi up`): started, done, skipped,
 * failed, and for a long step a "still InProgress" line every ten minutes. Polls print nothing
 * else, so an hour-long node group update is a handful of lines, never a line per poll.
 *
 * `timeScale` converts the engine's real milliseconds into the time the lines show (simulated
 * time against the emulator). Returns a stateful formatter: one per run.
 */
export function progressLines(timeScale = 1): (e: ProgressEvent) => string | undefined {
  const beats = new Map<string, number>();
  const at = (ms: number) => formatDuration(ms / timeScale);
  return (e) => {
    switch (e.type) {
      case "stepStarted":
        // Resumed: say what the running update does, which may be another run's target.
        return e.resumed
          ? `resuming ${e.step.id}: awaiting update ${e.updateId}${e.awaiting ? ` to ${e.awaiting}` : ""}, already running in EKS`
          : `started  ${e.step.id}: ${e.step.from} -> ${e.step.to} (update ${e.updateId})`;
      case "stepPolled": {
        // Finished, failed and cancelled updates have their own event; only a long wait is news.
        const beat = Math.floor(e.elapsedMs / timeScale / HEARTBEAT_MS);
        if (e.status !== "InProgress" || beat <= (beats.get(e.step.id) ?? 0)) return undefined;
        beats.set(e.step.id, beat);
        return `  ${e.step.id}: still ${e.status} after ${at(e.elapsedMs)} (expected ~${e.step.estimatedMinutes} min)`;
      }
      case "stepBlocked":
        return e.blockers.length
          ? `  ${e.step.id}: evictions refused: ${e.blockers.join("; ")}`
          : `  ${e.step.id}: evictions proceed`;
      case "stepFinished":
        return `done     ${e.step.id} in ${at(e.durationMs)}`;
      case "stepSkipped":
        return `skipped  ${e.step.id}: ${e.reason}`;
      case "stepFailed":
        return `FAILED   ${e.step.id}: ${e.failure.code}: ${e.failure.message}`;
      case "healthWaiting":
        return `  ${e.step.id}: waiting for the workloads: ${e.notBack.join("; ")}`;
      case "healthChecked":
        if (e.unread) return `  ${e.step.id}: health gate not checked: ${e.unread}`;
        if (!e.unhealthy.length) return `  ${e.step.id}: the workloads are back`;
        return e.gate === "warn"
          ? `WARNING  ${e.step.id}: ${CHECKS.WORKLOADS_NOT_BACK.code} the workloads did not come back: ${e.unhealthy.join("; ")}; going on (upgrade.healthGate: warn)`
          : `UNHEALTHY ${e.step.id}: ${CHECKS.WORKLOADS_NOT_BACK.code} the workloads did not come back: ${e.unhealthy.join("; ")}`;
      case "stopping":
        return `stopping ${e.inFlight.length ? `after ${e.inFlight.join(", ")}` : "before the next step"}: ${e.reason}`;
    }
  };
}
