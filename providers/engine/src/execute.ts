import {
  DescribeUpdateCommand,
  type EKSClient,
  UpdateAddonCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupConfigCommand,
  UpdateNodegroupVersionCommand,
} from "@aws-sdk/client-eks";
import type { Clients } from "./clients";
import { lazyReader } from "./kubernetes/access";
import { gateReason, HealthGate } from "./kubernetes/health-gate";
import { RolloutWatch } from "./kubernetes/rollout-watch";
import { describeUnhealthy, type UnhealthyWorkload } from "./kubernetes/workload-health";
import { mapLimit } from "./concurrency";
import {
  HealthGateError,
  PlanRefusedError,
  remedyFor,
  type StepFailure,
  UpgradeAbortedError,
  UpgradeError,
  UpgradeStoppedError,
} from "./errors";
import type { ObservedWorkloads, Plan, Step, Target } from "./model";
import {
  describeAddon,
  describeCluster,
  describeNodegroup,
  findInProgressUpdate,
  targetQuery,
} from "./observe";
import { isNetworkError, isThrottled } from "./operational";
import { type Pause, pauseCluster, pausedCluster, readPause } from "./pause";
import type { DesiredSpec } from "./spec";
import { compareReleases } from "./releases";
import { clusterFlags } from "./text";
import { compareAddonVersions, compareMinor } from "./versions";

export type ProgressEvent =
  | {
      type: "stepStarted";
      step: Step;
      updateId: string;
      resumed: boolean;
      /** Resumed: where the update already running takes the target (it may be another run's). */
      awaiting?: string | undefined;
    }
  | { type: "stepSkipped"; step: Step; reason: string }
  | { type: "stepPolled"; step: Step; updateId: string; status: string; elapsedMs: number }
  /** A node group's drain: the pods whose evictions budgets refuse now (empty: none any more). */
  | { type: "stepBlocked"; step: Step; updateId: string; blockers: string[] }
  | { type: "stepFinished"; step: Step; updateId: string; durationMs: number }
  | { type: "stepFailed"; step: Step; failure: StepFailure }
  /** After a step, the workloads not back yet (upgrade.healthGate), each time that changes. */
  | { type: "healthWaiting"; step: Step; notBack: string[] }
  /**
   * The health gate's verdict after a step: `unhealthy` empty when the workloads came back (or
   * `unread` says why nothing could be judged); otherwise what the gate does about it.
   */
  | {
      type: "healthChecked";
      step: Step;
      gate: "warn" | "pause";
      unhealthy: string[];
      unread?: string | undefined;
    }
  /** The run will stop once the steps in flight end (once per run). */
  | { type: "stopping"; reason: string; inFlight: string[] };

export interface ExecuteOptions {
  onEvent?: (event: ProgressEvent) => void;
  /** Stops the run between polls; updates already started go on in EKS. */
  signal?: AbortSignal;
  /**
   * Stops the run once the steps in flight have ended (Ctrl-C once, Pulumi's Cancel); its reason
   * (a string) says why. A pause of the cluster (pause.ts), read before each step and between
   * polls, stops it the same way.
   */
  stopAfterStep?: AbortSignal;
  /**
   * Multiplies every wait (poll intervals, deadlines). 1 against AWS; the emulator runs its clock
   * faster by the same factor, so tests and the demo pass theirs.
   */
  timeScale?: number;
}

export interface StepOutcome {
  id: string;
  outcome: "updated" | "awaited" | "skipped";
  updateId?: string;
  durationMs: number;
}

export interface ExecutionResult {
  steps: StepOutcome[];
  durationMs: number;
}

/** How often a step looks at its target again after a race (409, an update that just ended). */
const RETRIES = 3;

/**
 * Runs a plan: phases in order; the add-on updates of one wave together; node groups with the
 * spec's concurrency, in plan order. Every step first looks at its target: reached (or passed)
 * means skipped, an update in progress is awaited instead of issued again, so a re-run after any
 * interruption finishes the work without repeating it. A failure stops the run once the steps
 * already started have ended.
 */
export async function execute(
  clients: Clients,
  spec: DesiredSpec,
  plan: Plan,
  options: ExecuteOptions = {},
): Promise<ExecutionResult> {
  if (plan.violations.length) throw new PlanRefusedError(plan.violations);
  const run = new Run(clients, spec, options);
  const started = Date.now();
  const outcomes: StepOutcome[] = [];
  const phases = [...new Set(plan.steps.map((s) => s.phase))].sort((a, b) => a - b);
  /** The plan's step ids that ended so far, and those not started, in plan order. */
  const progress = (): [done: string[], left: string[]] => {
    const ended = new Set(outcomes.map((o) => o.id));
    const ids = plan.steps.map((s) => s.id);
    return [ids.filter((id) => ended.has(id)), ids.filter((id) => !ended.has(id))];
  };
  const stopped = () =>
    new UpgradeStoppedError(run.stopping?.reason ?? "", run.stopping?.paused ?? false, ...progress());
  for (const phase of phases) {
    run.checkAborted();
    const steps = plan.steps.filter((s) => s.phase === phase);
    const nodeSteps = steps.every((s) => s.kind === "nodegroup" || s.kind === "nodegroupConfig");
    const limit = nodeSteps ? spec.upgrade.concurrency : steps.length;
    const failures: StepFailure[] = [];
    const results = await mapLimit(steps, limit, async (step) => {
      if (failures.length) return undefined; // a step of this phase failed: start nothing new
      if (await run.shouldStop()) return undefined; // asked to stop, or paused: start nothing new
      try {
        return await run.step(step);
      } catch (e) {
        if (e instanceof UpgradeAbortedError) throw e;
        const failure = e instanceof StepError ? e.failure : apiFailure(step, e);
        failures.push(failure);
        options.onEvent?.({ type: "stepFailed", step, failure });
        return undefined;
      }
    });
    outcomes.push(...results.filter((r): r is StepOutcome => r !== undefined));
    if (failures.length) throw new UpgradeError(failures);
    if (run.unhealthy) throw run.healthGateError(plan, ...progress());
    // Asked to stop during the last steps: nothing was left out, so the run is done.
    if (run.stopping && outcomes.length < plan.steps.length) throw stopped();
  }
  return { steps: outcomes, durationMs: Date.now() - started };
}

class StepError extends Error {
  constructor(readonly failure: StepFailure) {
    super(failure.message);
  }
}

class Run {
  private readonly scale: number;
  private readonly eks: EKSClient;
  private readonly inFlight = new Map<string, string>();
  private readonly watch: RolloutWatch;
  private readonly gate: HealthGate;
  private readonly running = new Set<string>();
  /** Set once the run is to stop after the steps in flight. */
  stopping: { reason: string; paused: boolean } | undefined;
  /** The first step after which the workloads did not come back (healthGate: pause), and the pause set. */
  unhealthy:
    | {
        step: Step;
        workloads: UnhealthyWorkload[];
        pause?: Pause | undefined;
        pauseError?: string | undefined;
      }
    | undefined;

  constructor(
    private readonly clients: Clients,
    private readonly spec: DesiredSpec,
    private readonly options: ExecuteOptions,
  ) {
    this.scale = options.timeScale ?? 1;
    this.eks = clients.eks;
    // One look-up of the API server (DescribeCluster) for the run, however many readers use it.
    const kubernetes = lazyReader(clients, spec);
    this.watch = new RolloutWatch(kubernetes);
    this.gate = new HealthGate(kubernetes, spec, this.scale, (ms) => this.sleep(ms));
  }

  async step(step: Step): Promise<StepOutcome> {
    this.running.add(step.id);
    try {
      const before = await this.gate.before(step);
      const outcome = await this.stepOnce(step);
      if (before && outcome.outcome !== "skipped") await this.checkHealth(step, before);
      return outcome;
    } finally {
      this.running.delete(step.id);
    }
  }

  /**
   * The workload health gate after a step that ran: healthy goes on; "warn" says so and goes on;
   * "pause" pauses the cluster (tags, seen by every run on any machine) and stops the run after the
   * steps in flight. The step itself is done either way.
   */
  private async checkHealth(step: Step, before: ObservedWorkloads): Promise<void> {
    const gate = this.spec.upgrade.healthGate === "warn" ? "warn" : "pause";
    const { unhealthy, unread } = await this.gate.after(before, (notBack) =>
      this.emit({ type: "healthWaiting", step, notBack }),
    );
    this.emit({ type: "healthChecked", step, gate, unhealthy: unhealthy.map(describeUnhealthy), unread });
    if (!unhealthy.length || gate === "warn" || this.unhealthy) return;
    const found: NonNullable<Run["unhealthy"]> = { step, workloads: unhealthy };
    this.unhealthy = found;
    try {
      found.pause = await pauseCluster(this.clients, this.spec.clusterName, gateReason(step, unhealthy));
    } catch (e) {
      found.pauseError = (e as Error).message;
    }
    if (!this.stopping) {
      const reason = found.pause
        ? `the health gate paused cluster ${this.spec.clusterName}`
        : "the health gate failed";
      this.stopping = { reason, paused: !!found.pause };
      const inFlight = [...this.running].filter((id) => id !== step.id);
      this.emit({ type: "stopping", reason, inFlight });
    }
  }

  healthGateError(plan: Plan, done: string[], left: string[]): HealthGateError {
    const u = this.unhealthy;
    if (!u) throw new Error("no health gate failed");
    return new HealthGateError(u.step.id, u.workloads, u.pause, u.pauseError, done, left, {
      clusterName: this.spec.clusterName,
      flags: clusterFlags(this.spec),
      minutes: this.spec.upgrade.deadlines.healthGateMinutes,
      rollback: plan.steps.some(
        (s) => s.request.kind === "controlPlane" && !s.request.rollback && done.includes(s.id),
      ),
    });
  }

  /**
   * Whether to start nothing new: asked to (stopAfterStep), or the cluster is paused (its tags,
   * read each time: a pause from another machine is seen before the next step and between polls).
   */
  async shouldStop(): Promise<boolean> {
    if (this.stopping) return true;
    const asked = this.options.stopAfterStep;
    let stop: { reason: string; paused: boolean } | undefined;
    if (asked?.aborted) stop = { reason: String(asked.reason ?? "asked to stop"), paused: false };
    else {
      // A read that fails is tried again at the next poll or step; the step's own reads report
      // an EKS that stays unreachable.
      const pause = await readPause(this.eks, this.spec.clusterName).catch(() => undefined);
      if (pause) stop = { reason: pausedCluster(this.spec.clusterName, pause), paused: true };
    }
    // A concurrent step may have decided while this one read: the first decision is announced.
    if (stop && !this.stopping) {
      this.stopping = stop;
      this.emit({ type: "stopping", reason: stop.reason, inFlight: [...this.running] });
    }
    return this.stopping !== undefined;
  }

  private async stepOnce(step: Step): Promise<StepOutcome> {
    const t0 = Date.now();
    const target = targetOf(step);
    for (let attempt = 0; ; attempt++) {
      this.checkAborted();
      const state = await this.targetState(step);
      if (state.reached) {
        this.emit({ type: "stepSkipped", step, reason: state.reached });
        return { id: step.id, outcome: "skipped", durationMs: Date.now() - t0 };
      }
      if (state.updating) {
        // Resume: an update already runs on this target (ours from an interrupted run, or someone's).
        const running = await findInProgressUpdate(this.eks, this.spec.clusterName, target);
        if (running) {
          const awaiting = running.params.find((p) =>
            ["Version", "AddonVersion", "ReleaseVersion", "LaunchTemplateVersion"].includes(p.type),
          )?.value;
          this.emit({ type: "stepStarted", step, updateId: running.id, resumed: true, awaiting });
          await this.await(step, running.id, t0);
          const after = await this.targetState(step);
          if (after.reached) {
            await this.verifyNodes(step, running.id, t0);
            this.finished(step, running.id, t0);
            return { id: step.id, outcome: "awaited", updateId: running.id, durationMs: Date.now() - t0 };
          }
          continue;
        }
        // The update ended between the two reads: look at the target again rather than issue one.
        if (attempt < RETRIES) continue;
      }
      let updateId: string;
      try {
        updateId = await this.issue(step);
      } catch (e) {
        if (attempt >= RETRIES) throw new StepError(apiFailure(step, e));
        if ((e as Error).name === "ResourceInUseException") {
          // Another update holds the target or the control plane (EKS reports ACTIVE a little before
          // an update ends): wait for it, then look again.
          const blocker =
            (await findInProgressUpdate(this.eks, this.spec.clusterName, target)) ??
            (await findInProgressUpdate(this.eks, this.spec.clusterName, { kind: "controlPlane" }));
          if (blocker)
            await this.await(step, blocker.id, Date.now(), { target: blocker.target, announce: false });
          else await this.sleep(this.spec.upgrade.polling.minSeconds * 1000 * this.scale);
          continue;
        }
        // A refusal may mean the target moved meanwhile (reached by an update that just ended):
        // that is a success; anything else is the step's failure.
        if ((await this.targetState(step)).reached) continue;
        throw new StepError(apiFailure(step, e));
      }
      this.emit({ type: "stepStarted", step, updateId, resumed: false });
      await this.await(step, updateId, t0);
      await this.verifyNodes(step, updateId, t0);
      this.finished(step, updateId, t0);
      return { id: step.id, outcome: "updated", updateId, durationMs: Date.now() - t0 };
    }
  }

  checkAborted(): void {
    if (this.options.signal?.aborted) {
      throw new UpgradeAbortedError([...this.inFlight].map(([stepId, updateId]) => ({ stepId, updateId })));
    }
  }

  /**
   * Whether the step's target is already where the step takes it (or further: never go back). A
   * rollback step's target is reached only where it is exactly.
   */
  private async targetState(step: Step): Promise<{ reached?: string; updating: boolean }> {
    const req = step.request;
    const cluster = this.spec.clusterName;
    switch (req.kind) {
      case "controlPlane": {
        const { version, status } = await describeCluster(this.eks, cluster);
        const at = req.rollback
          ? version === req.version
          : version && compareMinor(version, req.version) >= 0;
        if (at && status !== "UPDATING") {
          return { reached: `the control plane runs ${version}`, updating: false };
        }
        return { updating: status === "UPDATING" };
      }
      case "addon": {
        const { version, status } = await describeAddon(this.eks, cluster, step.target);
        const at = req.rollback
          ? version === req.addonVersion
          : version && compareAddonVersions(version, req.addonVersion) >= 0;
        if (at && status !== "UPDATING") {
          return { reached: `${step.target} runs ${version}`, updating: false };
        }
        return { updating: status === "UPDATING" };
      }
      case "nodegroup":
      case "nodegroupConfig": {
        const ng = await describeNodegroup(this.eks, cluster, step.target);
        const updating = ng.status === "UPDATING";
        if (updating) return { updating };
        if (req.kind === "nodegroupConfig") {
          const same =
            (req.maxUnavailable === undefined || ng.maxUnavailable === req.maxUnavailable) &&
            (req.maxUnavailablePercentage === undefined ||
              ng.maxUnavailablePercentage === req.maxUnavailablePercentage) &&
            (req.updateStrategy === undefined || (ng.updateStrategy ?? "DEFAULT") === req.updateStrategy);
          return same ? { reached: `${step.target} already has ${step.to}`, updating } : { updating };
        }
        if (req.launchTemplate) {
          const running = Number(ng.launchTemplate?.version ?? 0);
          if (running >= Number(req.launchTemplate.version))
            return { reached: `${step.target} runs launch template version ${running}`, updating };
          return { updating };
        }
        const { version, releaseVersion: release } = ng;
        if (req.rollback)
          return version === req.version
            ? { reached: `${step.target} runs ${version}`, updating }
            : { updating };
        const order = version && req.version ? compareMinor(version, req.version) : -1;
        // A release that does not read as its family's is not taken as reached.
        const releaseOrder =
          release && req.releaseVersion
            ? compareReleases(ng.amiType, release, req.releaseVersion)
            : undefined;
        if (order > 0 || (order === 0 && releaseOrder !== undefined && releaseOrder >= 0)) {
          return { reached: `${step.target} runs ${version} ${release}`, updating };
        }
        return { updating };
      }
    }
  }

  private async issue(step: Step): Promise<string> {
    const req = step.request;
    const clusterName = this.spec.clusterName;
    let out: { update?: { id?: string } };
    switch (req.kind) {
      case "controlPlane":
        out = await this.eks.send(
          new UpdateClusterVersionCommand({
            name: clusterName,
            version: req.version,
            ...(req.force ? { force: true } : {}),
            ...(req.rollback ? { rollbackConfig: { timeoutMinutes: req.rollback.timeoutMinutes } } : {}),
          }),
        );
        break;
      case "addon":
        out = await this.eks.send(
          new UpdateAddonCommand({
            clusterName,
            addonName: step.target,
            addonVersion: req.addonVersion,
            ...(req.resolveConflicts ? { resolveConflicts: req.resolveConflicts } : {}),
          }),
        );
        break;
      case "nodegroup":
        out = await this.eks.send(
          new UpdateNodegroupVersionCommand({
            clusterName,
            nodegroupName: step.target,
            // A custom AMI moves by launch template only: version and releaseVersion would be refused.
            ...(req.launchTemplate
              ? {
                  launchTemplate: req.launchTemplate.id
                    ? { id: req.launchTemplate.id, version: req.launchTemplate.version }
                    : { name: req.launchTemplate.name, version: req.launchTemplate.version },
                }
              : {}),
            ...(req.version ? { version: req.version } : {}),
            ...(req.releaseVersion ? { releaseVersion: req.releaseVersion } : {}),
            ...(req.force ? { force: true } : {}),
          }),
        );
        break;
      case "nodegroupConfig":
        out = await this.eks.send(
          new UpdateNodegroupConfigCommand({
            clusterName,
            nodegroupName: step.target,
            updateConfig: {
              ...(req.maxUnavailablePercentage !== undefined
                ? { maxUnavailablePercentage: req.maxUnavailablePercentage }
                : req.maxUnavailable !== undefined
                  ? { maxUnavailable: req.maxUnavailable }
                  : {}),
              ...(req.updateStrategy ? { updateStrategy: req.updateStrategy } : {}),
            },
          }),
        );
        break;
    }
    const id = out.update?.id;
    if (!id) throw new Error(`EKS answered ${step.id} without an update id`);
    return id;
  }

  /**
   * Polls DescribeUpdate until the update ends. Polls are paced by the step's expected duration:
   * one lands when the update should end, then every `polling.minSeconds` (growing if it runs
   * long); before that, every `polling.maxSeconds` at most, to notice failures early.
   */
  private async await(
    step: Step,
    updateId: string,
    startedAt: number,
    { target = targetOf(step), announce = true }: { target?: Target; announce?: boolean } = {},
  ): Promise<void> {
    const { minSeconds, maxSeconds } = this.spec.upgrade.polling;
    const deadlineMs = this.deadlineMinutes(step) * 60_000 * this.scale;
    const expectedEnd = Date.now() + step.estimatedMinutes * 60_000 * this.scale;
    let lateInterval = minSeconds * 1000;
    let blockers: string[] = [];
    /** The last pods named as refused (the list empties when evictions proceed). */
    let lastBlockers: string[] = [];
    this.inFlight.set(step.id, updateId);
    try {
      for (;;) {
        const now = Date.now();
        const wait =
          now < expectedEnd
            ? Math.min(expectedEnd - now, maxSeconds * 1000 * this.scale)
            : lateInterval * this.scale;
        if (now > expectedEnd) lateInterval = Math.min(lateInterval * 1.5, maxSeconds * 1000);
        await this.sleep(wait);
        const answer = await this.eks
          .send(new DescribeUpdateCommand({ name: this.spec.clusterName, updateId, ...targetQuery(target) }))
          .catch((e: unknown) => {
            // Throttled through the SDK's retries: the update goes on in EKS; ask at the next poll
            // (the deadline still holds).
            if (isThrottled(e)) return undefined;
            // The SDK has retried a blip already (standard mode): EKS is out of reach, the update
            // is not (it goes on in EKS); say so rather than fail as if the update had.
            if (!isNetworkError(e)) throw e;
            throw new StepError(
              failureOf(
                step,
                updateId,
                "ENDPOINT_UNREACHABLE",
                `EKSUP205 EKS could not be reached (${(e as { code?: string }).code}) while waiting for the update`,
              ),
            );
          });
        const update = answer?.update;
        const status = answer ? (update?.status ?? "Unknown") : "InProgress";
        if (announce && answer)
          this.emit({ type: "stepPolled", step, updateId, status, elapsedMs: Date.now() - startedAt });
        // Done once the nodes are checked too (verifyNodes): one outcome per step.
        if (status === "Successful") return;
        if (status === "Failed" || status === "Cancelled") {
          const error = update?.errors?.[0];
          const code = error?.errorCode ?? status;
          const failure = failureOf(
            step,
            updateId,
            code,
            error?.errorMessage ?? `the update ended ${status}`,
          );
          // A drain that failed: name in the error what refused it, as the progress lines did.
          if (code === "PodEvictionFailure") {
            const atTheEnd = (await this.watch.blockers(step.target)) ?? [];
            const named = atTheEnd.length ? atTheEnd : lastBlockers;
            if (named.length) failure.blockers = named;
          }
          throw new StepError(failure);
        }
        // Between polls: a pause or a stop request is announced now; the step goes on to its end.
        await this.shouldStop();
        if (announce && step.kind === "nodegroup") {
          const now = await this.watch.blockers(step.target);
          if (now && now.join("\n") !== blockers.join("\n")) {
            blockers = now;
            if (now.length) lastBlockers = now;
            this.emit({ type: "stepBlocked", step, updateId, blockers });
          }
        }
        if (Date.now() - startedAt > deadlineMs) {
          const minutes = Math.round((Date.now() - startedAt) / 60_000 / this.scale);
          const message = `still ${status} after ${minutes} minutes (deadline ${this.deadlineMinutes(step)})`;
          throw new StepError(failureOf(step, updateId, "DEADLINE_EXCEEDED", message));
        }
      }
    } finally {
      this.inFlight.delete(step.id);
    }
  }

  private finished(step: Step, updateId: string, startedAt: number): void {
    this.emit({ type: "stepFinished", step, updateId, durationMs: Date.now() - startedAt });
  }

  /** A node group's nodes and pods after its update (rollout-watch.ts); a problem fails the step. */
  private async verifyNodes(step: Step, updateId: string, startedAt: number): Promise<void> {
    if (step.kind !== "nodegroup") return;
    const pause = () => this.sleep(this.spec.upgrade.polling.minSeconds * 1000 * this.scale);
    const problem = await this.watch.verify(step, startedAt, pause);
    if (problem) throw new StepError(failureOf(step, updateId, problem.code, problem.message));
  }

  private deadlineMinutes(step: Step): number {
    const d = this.spec.upgrade.deadlines;
    return step.kind === "controlPlane"
      ? d.controlPlaneMinutes
      : step.kind === "addon"
        ? d.addonMinutes
        : d.nodegroupMinutes;
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.options.signal;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(this.abortError());
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(this.abortError());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private abortError(): UpgradeAbortedError {
    return new UpgradeAbortedError([...this.inFlight].map(([stepId, updateId]) => ({ stepId, updateId })));
  }

  private emit(event: ProgressEvent): void {
    this.options.onEvent?.(event);
  }
}

function targetOf(step: Step): Target {
  if (step.kind === "controlPlane") return { kind: "controlPlane" };
  if (step.kind === "addon") return { kind: "addon", name: step.target };
  return { kind: "nodegroup", name: step.target };
}

function failureOf(step: Step, updateId: string | undefined, code: string, message: string): StepFailure {
  return {
    stepId: step.id,
    kind: step.kind,
    target: step.target,
    updateId,
    code,
    message,
    remedy: remedyFor(code, step),
  };
}

function apiFailure(step: Step, e: unknown): StepFailure {
  const err = e as Error;
  return failureOf(step, undefined, err.name, err.message);
}
