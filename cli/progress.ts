import { formatDuration as duration, type ProgressEvent, progressLines } from "@eks-upgrade/engine";
import { MultiBar, Presets, type SingleBar } from "cli-progress";

export interface ProgressDisplay {
  onEvent(e: ProgressEvent): void;
  stop(): void;
}

/**
 * Live progress of an apply: on a terminal one bar per step (elapsed against the step's expected
 * duration, status, elapsed time); elsewhere plain lines, one per change of state.
 */
export function progressDisplay(
  tty: boolean,
  timeScale: number,
  write: (line: string) => void,
): ProgressDisplay {
  return tty ? barDisplay(timeScale) : lineDisplay(timeScale, write);
}

function lineDisplay(timeScale: number, write: (line: string) => void): ProgressDisplay {
  const line = progressLines(timeScale);
  return {
    onEvent(e) {
      const text = line(e);
      if (text) write(text);
    },
    stop() {},
  };
}

function barDisplay(timeScale: number): ProgressDisplay {
  const multi = new MultiBar(
    {
      format: " {bar} {id} | {status} | {elapsed}",
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      barsize: 24,
    },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  const bar = (e: Exclude<ProgressEvent, { type: "stopping" | "healthChecked" }>) => {
    let b = bars.get(e.step.id);
    if (!b) {
      b = multi.create(Math.max(1, e.step.estimatedMinutes * 60), 0, {
        id: e.step.id,
        status: "starting",
        elapsed: "0s",
      });
      bars.set(e.step.id, b);
    }
    return b;
  };
  const line = progressLines(timeScale);
  return {
    onEvent(e) {
      if (e.type === "stopping" || e.type === "healthChecked") {
        // Above the bars: a stop (the steps in flight go on to their end), the health gate's verdict.
        multi.log(`${line(e)}\n`);
        return;
      }
      const b = bar(e);
      const total = b.getTotal();
      if (e.type === "stepStarted") b.update(0, { status: e.resumed ? "resuming" : "started" });
      if (e.type === "stepPolled")
        b.update(Math.min(total - 1, e.elapsedMs / timeScale / 1000), {
          status: e.status,
          elapsed: duration(e.elapsedMs / timeScale),
        });
      if (e.type === "stepBlocked")
        b.update({ status: e.blockers.length ? `evictions refused: ${e.blockers[0]}` : "InProgress" });
      if (e.type === "stepFinished")
        b.update(total, { status: "done", elapsed: duration(e.durationMs / timeScale) });
      if (e.type === "stepSkipped") b.update(total, { status: `skipped (${e.reason})` });
      if (e.type === "stepFailed") b.update({ status: `FAILED ${e.failure.code}` });
      if (e.type === "healthWaiting") b.update({ status: `waiting for ${e.notBack[0]}` });
    },
    stop() {
      multi.stop();
    },
  };
}
