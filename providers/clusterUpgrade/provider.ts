import type * as engineApi from "@eks-upgrade/engine";
import type * as pulumi from "@pulumi/pulumi";
import type { execFileSync as ExecFileSync } from "node:child_process";
import type { createRequire as CreateRequire } from "node:module";
import type { StepTiming } from "./args";

/*
 * The ClusterUpgrade provider: a thin adapter from Pulumi's dynamic-provider protocol to the
 * engine. Pulumi serializes this object's closure into the stack state and runs it in its own
 * host process, so everything here must survive serialization:
 * - the engine is its own compiled package, required by name inside each call (only its types are
 *   imported at module scope);
 * - SDK clients are made inside the calls, never captured;
 * - helpers are plain functions over plain data (no captured Map, Date or #private).
 */

/** What Pulumi sends for a value not known yet (during preview), possibly nested. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The inputs that make up the engine's desired spec. */
const SPEC_KEYS = ["clusterName", "region", "endpoints", "clusterVersion", "addons", "nodeGroups", "upgrade"];

type Props = Record<string, unknown>;

function loadEngine(): typeof engineApi {
  // By package name at call time: the host has no TypeScript loader and resolves from the project root.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("@eks-upgrade/engine");
}

function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

function specInput(props: Props): Props {
  const out: Props = {};
  for (const k of SPEC_KEYS) if (props[k] !== undefined && props[k] !== null) out[k] = props[k];
  return out;
}

/** Key order does not matter: objects are compared by sorted keys. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const o = value as Props;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Canary node groups in the order the inputs list them. */
function canaries(props: Props): string[] {
  const nodeGroups = (props.nodeGroups ?? {}) as Record<string, { canary?: boolean }>;
  return Object.keys(nodeGroups).filter((n) => nodeGroups[n]?.canary === true);
}

/**
 * How a key of the spec reads to this resource's user: the stack config key (and the command that
 * sets it) when the program says which namespace its config uses, else the input's own name.
 */
function keyRenderer(engine: typeof engineApi, inputs: Props): engineApi.KeyRenderer {
  const ns = inputs.configNamespace;
  return typeof ns === "string" && ns ? engine.configKeyRenderer(ns) : engine.plainKey;
}

/**
 * How a run in this host learns that it should stop:
 * - Pulumi's Cancel (its answer to the first Ctrl-C, and to the SIGINT or SIGTERM a cancelled CI
 *   job sends the CLI), or SIGINT sent to this host: stop after the steps in flight.
 * - SIGTERM sent to this host, or the Pulumi CLI that started it gone (killed): stop after the
 *   current poll; updates already started go on in EKS and the next `pulumi up` awaits them.
 * Pulumi starts plugins in their own process group: a terminal's Ctrl-C reaches the CLI only, and
 * the CLI's Cancel is the one message that reaches this host (see onPulumiCancel).
 */
function brakes(log: (text: string) => void): {
  afterStep: AbortSignal;
  now: AbortSignal;
  dispose: () => void;
} {
  const afterStep = new AbortController();
  const now = new AbortController();
  const stopAfterStep = (why: string) => {
    if (afterStep.signal.aborted || now.signal.aborted) return;
    log(`${why}: stopping after the step in flight; no new step starts`);
    afterStep.abort(why);
  };
  const stopNow = (why: string) => {
    if (now.signal.aborted) return;
    log(`${why}: stopping after the current poll; updates already started go on in EKS`);
    now.abort();
  };
  const onSigint = () => stopAfterStep("SIGINT received");
  const onSigterm = () => stopNow("SIGTERM received");
  const offCancel = onPulumiCancel(() =>
    stopAfterStep("Pulumi cancelled the update (Ctrl-C, or a cancelled job)"),
  );
  const offOrphaned = onOrphaned(() => stopNow("the Pulumi CLI that ran this update is gone"));
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  return {
    afterStep: afterStep.signal,
    now: now.signal,
    dispose: () => {
      offOrphaned();
      offCancel();
      process.off("SIGINT", onSigint);
      process.off("SIGTERM", onSigterm);
    },
  };
}

/**
 * Subscribes `listener` to an event of this host process; returns the unsubscribe. `install` sets
 * the event up the first time, for the host's whole life, and is handed what tells the listeners.
 * The registry is keyed by Symbol.for on globalThis: each resource's provider is a fresh
 * deserialized copy of this module, but the host process is one.
 */
function onHostEvent(name: string, install: (fire: () => void) => void, listener: () => void): () => void {
  const registry = globalThis as unknown as Record<symbol, Set<() => void> | undefined>;
  const key = Symbol.for(`eks-upgrade.${name}`);
  let listeners = registry[key];
  if (!listeners) {
    const installed = new Set<() => void>();
    listeners = installed;
    registry[key] = installed;
    install(() => {
      for (const l of installed) l();
    });
  }
  listeners.add(listener);
  const own = listeners;
  return () => own.delete(listener);
}

/**
 * Calls `listener` if the Pulumi CLI that started this host dies (killed: a lost runner, a second
 * SIGTERM). Watched for the host's whole life, with or without a run in progress: an orphaned host
 * would otherwise live on (its gRPC server keeps it up), and a run in it would go on upgrading
 * with nobody recording it. The host ends 2 seconds after the listeners are told.
 */
function onOrphaned(listener: () => void): () => void {
  return onHostEvent(
    "orphaned",
    (fire) => {
      const parent = process.ppid;
      // Pulumi starts this host through a shell script (pulumi-resource-pulumi-nodejs), which
      // outlives a killed CLI: watch the script's parent too.
      const watched = [parent, parentOf(parent)].filter((p): p is number => p !== undefined && p > 1);
      const watch = setInterval(() => {
        if (process.ppid === parent && watched.every(isAlive)) return;
        clearInterval(watch);
        fire();
        // Nobody is left to answer: end this host once a run in progress has stopped.
        setTimeout(() => process.exit(1), 2000);
      }, 1000);
      // Never what keeps the host up (its gRPC server does, while Pulumi needs it).
      watch.unref();
    },
    listener,
  );
}

/**
 * Calls `listener` when Pulumi sends this host Cancel. The dynamic-provider host of @pulumi/pulumi
 * answers Cancel with a no-op nothing can subscribe to, so the lookup of a call's handler in the
 * host's own @grpc/grpc-js server (resolved from the host's script, so the same module instance)
 * is wrapped to see Cancel go by. If that grpc-js has no such lookup, Cancel goes unseen (said
 * once in the log): the run then stops on signals alone.
 */
function onPulumiCancel(listener: () => void): () => void {
  return onHostEvent(
    "pulumiCancel",
    (fire) => {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { createRequire } = require("node:module") as { createRequire: typeof CreateRequire };
        const hostRequire = createRequire(process.argv[1] ?? `${process.cwd()}/`);
        const server = (hostRequire("@grpc/grpc-js") as { Server?: { prototype: Record<string, unknown> } })
          .Server?.prototype;
        const lookup = server?._retrieveHandler;
        if (!server || typeof lookup !== "function") throw new Error("no handler lookup to wrap");
        server._retrieveHandler = function (this: unknown, path: string) {
          if (path === "/pulumirpc.ResourceProvider/Cancel") fire();
          return (lookup as (p: string) => unknown).call(this, path);
        };
      } catch (e) {
        console.log(
          `[eks-upgrade] Pulumi's Cancel cannot be seen in this host (${(e as Error).message}): Ctrl-C lets the run go on; send this host SIGINT to stop it after the step in flight`,
        );
      }
    },
    listener,
  );
}

function parentOf(pid: number): number | undefined {
  if (process.platform === "win32") return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { execFileSync } = require("node:child_process") as { execFileSync: typeof ExecFileSync };
    const ppid = Number(execFileSync("ps", ["-o", "ppid=", "-p", String(pid)], { encoding: "utf8" }).trim());
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: alive, but not ours to signal.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * What runs now that the state did not record, one line per target. The platform version is left
 * out: EKS moves it within a minor by itself, and nothing the stack declares follows it.
 */
function versionDrift(
  stored: engineApi.RunningVersions | undefined,
  now: engineApi.RunningVersions,
): string[] {
  if (!stored) return [];
  const out: string[] = [];
  const moved = (what: string, from: string | undefined, to: string | undefined) => {
    if (from !== to) out.push(`${what}: ${from ?? "absent"} -> ${to ?? "absent"}`);
  };
  moved("control plane", stored.controlPlane, now.controlPlane);
  for (const name of [...new Set([...Object.keys(stored.addons), ...Object.keys(now.addons)])].sort())
    moved(`add-on ${name}`, stored.addons[name], now.addons[name]);
  const group = (n: engineApi.RunningVersions["nodeGroups"][string] | undefined) =>
    n && [n.version, n.releaseVersion, n.launchTemplateVersion].filter(Boolean).join(" ");
  for (const name of [...new Set([...Object.keys(stored.nodeGroups), ...Object.keys(now.nodeGroups)])].sort())
    moved(`node group ${name}`, group(stored.nodeGroups[name]), group(now.nodeGroups[name]));
  return out;
}

/**
 * A check failure as Pulumi prints it. Pulumi frames one with a property as "property P value V
 * has a problem", looking V up among the top-level inputs only: a nested key (nodeGroups.general.
 * amiReleaseVersion) or a key not set would print "value {<nil>}". Those go without a property
 * ("resource … has a problem"); the reason names the key as the user set it either way.
 */
function checkFailure(news: Props, field: string, reason: string): pulumi.dynamic.CheckFailure {
  const shown = !field.includes(".") && news[field] !== undefined && news[field] !== null;
  return { property: shown ? field : "", reason };
}

/** JSON-shaped data: undefined values dropped. */
function plainData(value: Props): Props {
  return JSON.parse(JSON.stringify(value)) as Props;
}

/** The last run in one line, for the stack's summary: where it went, its steps, how long (in EKS's time). */
function lastRun(
  engine: typeof engineApi,
  plan: engineApi.Plan,
  { steps, durationMs }: engineApi.ExecutionResult,
  timeScale: number,
): string {
  if (!steps.length) return `${plan.from} -> ${plan.to}: nothing to do`;
  const count = (o: string) => steps.filter((s) => s.outcome === o).length;
  const parts = (["updated", "awaited", "skipped"] as const)
    .filter((o) => count(o))
    .map((o) => `${count(o)} ${o}`);
  return `${plan.from} -> ${plan.to}: ${steps.length} step${steps.length === 1 ? "" : "s"} (${parts.join(", ")}) in ${engine.formatDuration(durationMs / timeScale)}`;
}

/** The planned steps that did not finish, numbered as planned: what is left after a failed run. */
function remainingItems(
  engine: typeof engineApi,
  plan: engineApi.Plan | undefined,
  done: StepTiming[],
): engineApi.PlanItem[] {
  if (!plan) return [];
  const finished = new Set(done.map((t) => t.step));
  return plan.steps.map(engine.planItem).filter((_, i) => !finished.has(plan.steps[i]?.id ?? ""));
}

/** Where the engine looked: what an operational finding names. */
function at(spec: engineApi.DesiredSpec): engineApi.CallContext {
  return { clusterName: spec.clusterName, region: spec.region, endpoint: spec.endpoints?.eks };
}

/**
 * The promotion gate, when the program set one and its values are known: one upstream stack, or
 * in a fleet every stack of the stage before.
 */
function promotionGate(inputs: Props): engineApi.PromotionGates | undefined {
  const gate = inputs.promotion as engineApi.PromotionGates | undefined;
  return gate && !containsUnknown(gate) ? gate : undefined;
}

/**
 * Runs the upgrade and returns the new state; on failure throws the true partial state.
 * `upgradedAt` moves only when a step really ran: downstream promotion gates read it.
 */
async function upgrade(id: string, inputs: Props, previousUpgradedAt: unknown): Promise<Props> {
  const engine = loadEngine();
  const spec = engine.parseSpec(specInput(inputs));
  const clients = engine.createClients(spec);
  const timings: StepTiming[] = [];
  // The emulator announces its time scale; against AWS it is 1.
  const timeScale = typeof inputs.timeScale === "number" ? inputs.timeScale : await engine.timeScaleOf(spec);
  const line = engine.progressLines(timeScale);
  const log = (text: string) => console.log(`[eks-upgrade ${spec.clusterName}] ${text}`);
  const render = keyRenderer(engine, inputs);
  let planned: engineApi.Plan | undefined;
  const interrupt = brakes(log);
  try {
    // The plan a run acts on is made from freshly evaluated insights.
    const { plan } = await engine.inspectForApply(clients, spec, promotionGate(inputs), {
      timeScale,
      signal: interrupt.now,
      log,
    });
    planned = plan;
    if (plan.violations.length) throw new engine.PlanRefusedError(plan.violations);
    log(`${plan.steps.length} steps: ${plan.from} -> ${plan.to}`);
    const result = await engine.execute(clients, spec, plan, {
      timeScale,
      signal: interrupt.now,
      stopAfterStep: interrupt.afterStep,
      onEvent: (e) => {
        const text = line(e);
        if (text) log(text);
        if (e.type === "stepFinished" || e.type === "stepSkipped") {
          timings.push({
            step: e.step.id,
            outcome: e.type === "stepSkipped" ? "skipped" : "updated",
            seconds: e.type === "stepFinished" ? Math.round(e.durationMs / 1000) : 0,
          });
        }
      },
    });
    const after = await engine.observe(clients, spec.clusterName);
    const ran = result.steps.some((s) => s.outcome !== "skipped");
    // plainData: a cluster already where the spec says has no upgradedAt yet, and the host cannot
    // turn an undefined value into a protobuf Struct ("Unexpected struct type").
    return plainData({
      ...inputs,
      // EKS's time (the Date of its answers), which downstream gates measure the soak against.
      upgradedAt: ran ? new Date(after.observedAt).toISOString() : previousUpgradedAt,
      versions: engine.runningVersions(after),
      // Everything planned ran: nothing is left, as the next check will also say.
      plan: [],
      estimate: engine.planEstimate({ steps: [] }, spec.upgrade.concurrency),
      lastPlan: plan.steps.map(engine.planItem),
      lastRun: lastRun(engine, plan, result, timeScale),
      timings: result.steps.map((s) => ({
        step: s.id,
        outcome: s.outcome,
        seconds: Math.round(s.durationMs / 1000),
      })),
    });
  } catch (e) {
    if (e instanceof engine.PlanRefusedError) throw new Error(e.describe(render), { cause: e });
    const f = engine.operationalFinding(e, at(spec));
    const message =
      e instanceof engine.UpgradeError || e instanceof engine.HealthGateError
        ? e.describe(render)
        : f
          ? engine.describeFinding(f, render)
          : (e as Error).message;
    // Record what is really running, so the state tells the truth and the next run resumes.
    let versions: engineApi.RunningVersions | undefined;
    try {
      versions = engine.runningVersions(await engine.observe(clients, spec.clusterName));
    } catch {
      versions = undefined;
    }
    const partial = Object.assign(new Error(message), {
      id,
      // The host turns these into a protobuf Struct, which has no undefined (a first run has no
      // upgradedAt yet): an undefined value there crashed the host and left `pulumi up` hanging.
      properties: plainData({
        ...inputs,
        upgradedAt: previousUpgradedAt,
        versions,
        plan: remainingItems(engine, planned, timings),
        lastPlan: planned ? planned.steps.map(engine.planItem) : [],
        timings,
        __provider: inputs.__provider,
      }),
      reasons: [message],
    });
    throw partial;
  } finally {
    interrupt.dispose();
    engine.destroyClients(clients);
  }
}

export const clusterUpgradeProvider: pulumi.dynamic.ResourceProvider = {
  /**
   * Validates the inputs and, when the cluster is known, puts the plan into the inputs so that
   * `pulumi preview --diff` shows it; violations (a downgrade among them) fail the preview.
   */
  async check(_olds: Props, news: Props) {
    const engine = loadEngine();
    const input = specInput(news);
    if (containsUnknown(input)) return { inputs: { ...news, plan: UNKNOWN } };
    let spec: engineApi.DesiredSpec;
    try {
      spec = engine.parseSpec(input);
    } catch (e) {
      if (!(e instanceof engine.SpecError)) throw e;
      const render = keyRenderer(engine, news);
      const failures = e.issues.map((i) => checkFailure(news, i.field, `${render(i.field)}: ${i.message}`));
      return { inputs: news, failures };
    }
    const clients = engine.createClients(spec);
    const render = keyRenderer(engine, news);
    const text = (f: engineApi.Finding) => engine.describeFinding(f, render);
    try {
      const { plan } = await engine.inspect(clients, spec, promotionGate(news));
      // Steps held for the bake period leave no diff to show them: say in the diagnostics why
      // nothing happens and until when.
      for (const w of plan.warnings.filter((f) => f.name === "BAKE_HOLD"))
        console.log(`[eks-upgrade ${spec.clusterName}] ${text(w)}`);
      return {
        // Each step one item of short strings: Pulumi's diff display (the pull request's
        // preview) cuts longer strings; the findings are wrapped for the same reason.
        inputs: {
          ...news,
          plan: plan.steps.map(engine.planItem),
          estimate: engine.planEstimate(plan, spec.upgrade.concurrency),
          // Which check made this plan: a run records it (its outputs carry its inputs), so a
          // refresh, which compares the stored inputs with the refreshed outputs, can tell a plan
          // already run from a new one (diff).
          planMadeAt: plan.madeAt,
          support: plan.support.map((v) => `${v.minor}: ${engine.describeSupport(v)}`),
          warnings: engine.wrapLines(plan.warnings.map(text)),
        },
        failures: plan.violations.map((v) => checkFailure(news, v.field, text(v))),
      };
    } catch (e) {
      if ((e as Error).name === "ResourceNotFoundException") {
        return {
          // Unknown: a preview shows it as such, and the run makes the plan once the cluster is there.
          inputs: {
            ...news,
            plan: UNKNOWN,
            estimate: `cluster ${spec.clusterName} does not exist yet: the plan is made once it does`,
          },
        };
      }
      const f = engine.operationalFinding(e, at(spec));
      return {
        inputs: news,
        failures: [
          checkFailure(
            news,
            f?.field ?? "clusterName",
            f ? text(f) : `cannot read cluster ${spec.clusterName}: ${(e as Error).message}`,
          ),
        ],
      };
    } finally {
      engine.destroyClients(clients);
    }
  },

  /**
   * Always an explicit answer: a change when a new plan has steps, the desired versions changed,
   * or a refresh found the running versions moved outside (read's `drift`). A plan already run is
   * no change: `pulumi refresh` compares the stored inputs (their plan is the one the last run
   * acted on) with the refreshed outputs (which carry the same `planMadeAt`).
   */
  async diff(_id: string, olds: Props, news: Props) {
    const alreadyRun = typeof news.planMadeAt === "string" && news.planMadeAt === olds.planMadeAt;
    const planned =
      news.plan === UNKNOWN || (!alreadyRun && Array.isArray(news.plan) && news.plan.length > 0);
    const drifted = Array.isArray(olds.drift) && olds.drift.length > 0;
    // Keys are compared sorted, except the canaries' order, which is the order they upgrade in.
    const changed =
      canonical(specInput(olds)) !== canonical(specInput(news)) ||
      canaries(olds).join() !== canaries(news).join() ||
      olds.timeScale !== news.timeScale;
    const moved = olds.clusterName !== news.clusterName || olds.region !== news.region;
    return {
      changes: planned || changed || drifted,
      replaces: moved ? ["clusterName"] : [],
      deleteBeforeReplace: false,
    };
  },

  async create(inputs: Props) {
    const id = `${inputs.region}/${inputs.clusterName}`;
    return { id, outs: await upgrade(id, inputs, undefined) };
  },

  async update(id: string, olds: Props, news: Props) {
    return { outs: await upgrade(id, news, olds.upgradedAt) };
  },

  /**
   * `pulumi refresh`: the versions really running. When nothing moved outside, exactly what the
   * last run stored (same shape), so `pulumi refresh --expect-no-changes` passes; what moved is
   * listed in `drift`, which diff reports as a change.
   */
  async read(id: string, props: Props) {
    const engine = loadEngine();
    const spec = engine.parseSpec(specInput(props));
    const clients = engine.createClients(spec);
    try {
      const versions = engine.runningVersions(await engine.observe(clients, spec.clusterName));
      const drift = versionDrift(props.versions as engineApi.RunningVersions | undefined, versions);
      for (const d of drift)
        console.log(`[eks-upgrade ${spec.clusterName}] moved outside since the last run: ${d}`);
      const { drift: _previous, ...stored } = props;
      return { id, props: { ...stored, versions, ...(drift.length ? { drift } : {}) } };
    } finally {
      engine.destroyClients(clients);
    }
  },

  /** Removing the resource leaves the cluster as it is. */
  async delete(_id: string, props: Props) {
    console.log(
      `[eks-upgrade ${props.clusterName}] ClusterUpgrade removed from the stack; the cluster is left as it is`,
    );
  },
};
