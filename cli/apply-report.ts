import {
  type Finding,
  HealthGateError,
  type KeyRenderer,
  type Plan,
  plainKey,
  type ProgressEvent,
  type RunningVersions,
  renderKeys,
  type StepFailure,
  UpgradeAbortedError,
  UpgradeError,
  UpgradeStoppedError,
} from "@eks-upgrade/engine";
import { CliError, EXIT } from "./errors";

/** What became of a planned step ("running": the run stopped between polls, the update goes on in EKS). */
export type StepStatus = "updated" | "awaited" | "skipped" | "failed" | "running" | "not started";

/** `apply --format json`: one document on stdout, whatever the outcome; the human output goes to stderr. */
export interface ApplyResult {
  cluster: string;
  /** unhealthy: the health gate found workloads down after a step, paused the cluster and stopped. */
  outcome: "done" | "nothing to do" | "refused" | "failed" | "stopped" | "unhealthy" | "not confirmed";
  exitCode: number;
  /** The message printed on stderr when the run did not end done. */
  error?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  steps: {
    id: string;
    kind: string;
    target: string;
    from: string;
    to: string;
    status: StepStatus;
    updateId?: string;
    /** In EKS's time (simulated against the emulator). */
    durationSeconds?: number;
    /**
     * The health gate after the step (upgrade.healthGate): "back", "not read" (why in the
     * progress), or the workloads that did not come back.
     */
    health?: "back" | "not read" | string[];
  }[];
  /** With `key`: the finding's key as the user wrote it (a flag, a stack key). */
  violations: (Finding & { key?: string })[];
  failures: StepFailure[];
  /** The health gate that stopped the run: after which step, the workloads, and who paused the cluster. */
  unhealthy?: { step: string; workloads: HealthGateError["unhealthy"]; pausedBy?: string | undefined };
  /** What the cluster ran when the plan was made, and when the run ended (absent when it could not be read). */
  versions: { before?: RunningVersions; after?: RunningVersions };
  durationSeconds?: number | undefined;
  /** The emulator's time scale when not 1: durations are simulated. */
  timeScale: number;
}

/** Builds the result from the plan, the run's progress events and how it ended. */
export class ApplyReport {
  private readonly result: ApplyResult = {
    cluster: "",
    outcome: "done",
    exitCode: EXIT.ok,
    // Set once known; declared here so the document's keys keep this order.
    error: undefined,
    from: undefined,
    to: undefined,
    steps: [],
    violations: [],
    failures: [],
    unhealthy: undefined,
    versions: {},
    durationSeconds: undefined,
    timeScale: 1,
  };
  private readonly started = Date.now();
  /** What the cluster runs once the run ended, when it could be read. */
  after: RunningVersions | undefined;

  private keys: KeyRenderer = plainKey;
  /** Steps whose update was already running in EKS: awaited, not issued. */
  private readonly resumed = new Set<string>();

  /**
   * The cluster, the time scale and how keys are named (flags, stack keys), once the spec is read
   * (a spec refused never gets here).
   */
  begin(cluster: string, timeScale: number, keys: KeyRenderer = plainKey): void {
    Object.assign(this.result, { cluster, timeScale });
    this.keys = keys;
  }

  /** Texts with their keys as the user wrote them, as stderr shows them; `key` the finding's own. */
  private rendered<T extends { remedy: string; message: string }>(
    f: T,
    field?: string,
  ): T & { key?: string } {
    const text = (t: string) => renderKeys(t, this.keys);
    return {
      ...f,
      ...(field ? { key: this.keys(field) } : {}),
      message: text(f.message),
      remedy: text(f.remedy),
    };
  }

  planned(plan: Plan, before: RunningVersions): void {
    Object.assign(this.result, {
      from: plan.from,
      to: plan.to,
      violations: plan.violations.map((v) => this.rendered(v, v.field)),
    });
    this.result.versions.before = before;
    this.result.steps = plan.steps.map((s) => ({
      id: s.id,
      kind: s.kind,
      target: s.target,
      from: s.from,
      to: s.to,
      status: "not started",
    }));
    if (!plan.steps.length && !plan.violations.length) this.result.outcome = "nothing to do";
  }

  onEvent(e: ProgressEvent): void {
    if (e.type === "stopping") return;
    const step = this.result.steps.find((s) => s.id === e.step.id);
    if (!step) return;
    const seconds = (ms: number) => Math.round(ms / this.result.timeScale / 1000);
    if (e.type === "stepStarted") {
      Object.assign(step, { status: "running", updateId: e.updateId });
      if (e.resumed) this.resumed.add(step.id);
    }
    if (e.type === "stepFinished")
      Object.assign(step, {
        status: this.resumed.has(step.id) ? "awaited" : "updated",
        durationSeconds: seconds(e.durationMs),
      });
    if (e.type === "stepSkipped") step.status = "skipped";
    if (e.type === "stepFailed") step.status = "failed";
    if (e.type === "healthChecked")
      step.health = e.unread ? "not read" : e.unhealthy.length ? e.unhealthy : "back";
  }

  /** How the run ended: `error` is what it threw, if anything. */
  ended(error: unknown): ApplyResult {
    const r = this.result;
    if (this.after) r.versions.after = this.after;
    r.durationSeconds = Math.round((Date.now() - this.started) / r.timeScale / 1000);
    if (error === undefined) return r;
    r.error = (error as Error).message;
    r.exitCode = error instanceof CliError ? error.exitCode : EXIT.failed;
    const cause = (error as Error).cause;
    if (cause instanceof UpgradeError) r.failures = cause.failures.map((f) => this.rendered(f));
    if (cause instanceof HealthGateError)
      r.unhealthy = { step: cause.step, workloads: cause.unhealthy, pausedBy: cause.pause?.by };
    r.outcome =
      r.exitCode === EXIT.ok
        ? "not confirmed"
        : r.exitCode === EXIT.refused
          ? "refused"
          : cause instanceof UpgradeStoppedError || cause instanceof UpgradeAbortedError
            ? "stopped"
            : cause instanceof HealthGateError
              ? "unhealthy"
              : "failed";
    return r;
  }
}
