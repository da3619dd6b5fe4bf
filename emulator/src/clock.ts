/**
 * Simulated time. Everything the emulator reports (timestamps, update progress, support dates,
 * the 7-day rollback window) is in simulated time, which runs `1 / timeScale` times faster than
 * the wall clock: at timeScale 0.001 a 10-minute control-plane update takes 0.6 real seconds.
 * `advance` jumps ahead (tests use it for windows measured in days).
 */
export class SimClock {
  private readonly realStart = performance.now();
  private offsetMs = 0;

  constructor(
    readonly timeScale: number,
    private readonly startEpochMs: number,
  ) {
    if (!(timeScale > 0)) throw new Error(`timeScale must be > 0, got ${timeScale}`);
  }

  now(): number {
    return this.startEpochMs + this.offsetMs + (performance.now() - this.realStart) / this.timeScale;
  }

  advance(simMs: number): void {
    if (!(simMs >= 0)) throw new Error(`cannot move the clock back (${simMs} ms)`);
    this.offsetMs += simMs;
  }

  /** Wall-clock milliseconds a simulated duration takes. */
  toRealMs(simMs: number): number {
    return simMs * this.timeScale;
  }
}

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

export function epochSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}
