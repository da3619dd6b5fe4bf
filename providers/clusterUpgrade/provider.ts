import type * as engineApi from "@eks-upgrade/engine";
import type * as pulumi from "@pulumi/pulumi";
import type { RunningVersions, StepTiming } from "./args";

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
const SPEC_KEYS = [
  "clusterName",
  "region",
  "endpoints",
  "kubernetesVersion",
  "addons",
  "nodeGroups",
  "nodeGroupConcurrency",
  "nodeGroupOrder",
  "insights",
  "deadlines",
  "polling",
];

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

function versionsOf(observed: engineApi.Observed): RunningVersions {
  const nodeGroups: RunningVersions["nodeGroups"] = {};
  for (const n of observed.nodegroups) {
    nodeGroups[n.name] = {
      version: n.version,
      releaseVersion: n.releaseVersion,
      ...(n.launchTemplate?.version ? { launchTemplateVersion: n.launchTemplate.version } : {}),
    };
  }
  const addons: Record<string, string> = {};
  for (const a of observed.addons) addons[a.name] = a.version;
  return {
    controlPlane: observed.cluster.version,
    platformVersion: observed.cluster.platformVersion,
    addons,
    nodeGroups,
  };
}

function findingText(f: engineApi.Finding): string {
  return `${f.code} ${f.message}. ${f.remedy}`;
}

/** One progress line per event, on stdout: the host shows it while `pulumi up` runs. */
function progressLine(cluster: string, e: engineApi.ProgressEvent): string {
  const s = (ms: number) => `${Math.round(ms / 1000)}s`;
  const head = `[eks-upgrade ${cluster}] ${e.step.id}`;
  switch (e.type) {
    case "stepStarted":
      return `${head}: ${e.resumed ? "resuming, awaiting" : "started"} update ${e.updateId} (${e.step.from} -> ${e.step.to})`;
    case "stepPolled":
      return `${head}: ${e.status}, ${s(e.elapsedMs)} elapsed`;
    case "stepFinished":
      return `${head}: done in ${s(e.durationMs)}`;
    case "stepSkipped":
      return `${head}: skipped, ${e.reason}`;
    case "stepFailed":
      return `${head}: FAILED ${e.failure.code}: ${e.failure.message}`;
  }
}

/** The promotion gate's findings, when the program set one and its values are known. */
function promotionFindings(
  engine: typeof engineApi,
  spec: engineApi.DesiredSpec,
  inputs: Props,
): engineApi.Finding[] {
  const gate = inputs.promotion as engineApi.PromotionGate | undefined;
  if (!gate || containsUnknown(gate)) return [];
  return engine.checkPromotion(spec.kubernetesVersion, gate);
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
  let lastPlan: string[] = [];
  try {
    const { plan } = await engine.inspect(clients, spec);
    lastPlan = plan.lines;
    const violations = [...plan.violations, ...promotionFindings(engine, spec, inputs)];
    if (violations.length) throw new engine.PlanRefusedError(violations);
    console.log(`[eks-upgrade ${spec.clusterName}] ${plan.steps.length} steps: ${plan.from} -> ${plan.to}`);
    const result = await engine.execute(clients, spec, plan, {
      timeScale: typeof inputs.timeScale === "number" ? inputs.timeScale : 1,
      onEvent: (e) => {
        console.log(progressLine(spec.clusterName, e));
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
    return {
      ...inputs,
      upgradedAt: ran ? new Date().toISOString() : previousUpgradedAt,
      versions: versionsOf(after),
      lastPlan,
      timings: result.steps.map((s) => ({
        step: s.id,
        outcome: s.outcome,
        seconds: Math.round(s.durationMs / 1000),
      })),
    };
  } catch (e) {
    if (e instanceof engine.PlanRefusedError) throw e;
    // Record what is really running, so the state tells the truth and the next run resumes.
    let versions: RunningVersions | undefined;
    try {
      versions = versionsOf(await engine.observe(clients, spec.clusterName));
    } catch {
      versions = undefined;
    }
    const partial = Object.assign(new Error((e as Error).message), {
      id,
      properties: {
        ...inputs,
        upgradedAt: previousUpgradedAt,
        versions,
        lastPlan,
        timings,
        __provider: inputs.__provider,
      },
      reasons: [(e as Error).message],
    });
    throw partial;
  } finally {
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
      return { inputs: news, failures: e.issues.map((i) => ({ property: i.field, reason: i.message })) };
    }
    const clients = engine.createClients(spec);
    try {
      const { plan } = await engine.inspect(clients, spec);
      return {
        inputs: { ...news, plan: plan.lines, warnings: plan.warnings.map(findingText) },
        failures: [...plan.violations, ...promotionFindings(engine, spec, news)].map((v) => ({
          property: v.field,
          reason: findingText(v),
        })),
      };
    } catch (e) {
      if ((e as Error).name === "ResourceNotFoundException") {
        return {
          inputs: {
            ...news,
            plan: [`cluster ${spec.clusterName} does not exist yet: the plan is made once it does`],
          },
        };
      }
      return {
        inputs: news,
        failures: [
          {
            property: "clusterName",
            reason: `cannot read cluster ${spec.clusterName}: ${(e as Error).message}`,
          },
        ],
      };
    } finally {
      engine.destroyClients(clients);
    }
  },

  /** Always an explicit answer: true when the plan has steps or the desired versions changed. */
  async diff(_id: string, olds: Props, news: Props) {
    const planned = news.plan === UNKNOWN || (Array.isArray(news.plan) && news.plan.length > 0);
    const changed =
      canonical(specInput(olds)) !== canonical(specInput(news)) || olds.timeScale !== news.timeScale;
    const moved = olds.clusterName !== news.clusterName || olds.region !== news.region;
    return {
      changes: planned || changed,
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

  /** `pulumi refresh`: the versions really running, so changes made elsewhere show as drift. */
  async read(id: string, props: Props) {
    const engine = loadEngine();
    const spec = engine.parseSpec(specInput(props));
    const clients = engine.createClients(spec);
    try {
      return {
        id,
        props: { ...props, versions: versionsOf(await engine.observe(clients, spec.clusterName)) },
      };
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
