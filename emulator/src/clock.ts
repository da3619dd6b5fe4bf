/**
 * Simulated time. Everything the emulator reports (timestamps, update progress, support dates,
 * the 7-day rollback window) is in simulated time, which runs `1 / timeScale` times faster than
 * the wall clock: at timeScale 0.001 a 10-minute control-plane update takes 0.6 real seconds.
 * `advance` jumps ahead (tests use it for windows measured in days); `pause` holds simulated time
 * still (an update in progress stays in progress until `resume`), so a test that interrupts a run
 * and resumes it does not race the update it interrupted.
 */
export class SimClock {
  private readonly realStart = performance.now();
  private offsetMs = 0;
  /** The simulated time held while paused. */
  private heldAt: number | undefined;

  constructor(
    readonly timeScale: number,
    private readonly startEpochMs: number,
  ) {
    if (!(timeScale > 0)) throw new Error(`timeScale must be > 0, got ${timeScale}`);
  }

  now(): number {
    return this.heldAt ?? this.running();
  }

  advance(simMs: number): void {
    if (!(simMs >= 0)) throw new Error(`cannot move the clock back (${simMs} ms)`);
    this.offsetMs += simMs;
    if (this.heldAt !== undefined) this.heldAt += simMs;
  }

  get paused(): boolean {
    return this.heldAt !== undefined;
  }

  pause(): void {
    this.heldAt ??= this.running();
  }

  /** Simulated time goes on from where it was held (the pause itself took no simulated time). */
  resume(): void {
    if (this.heldAt === undefined) return;
    this.offsetMs += this.heldAt - this.running();
    this.heldAt = undefined;
  }

  private running(): number {
    return this.startEpochMs + this.offsetMs + (performance.now() - this.realStart) / this.timeScale;
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
