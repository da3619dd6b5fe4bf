import { finding } from "./checks";
import type { Clients } from "./clients";
import { KubernetesReader } from "./kubernetes/access";
import { INSIGHTS_REFRESH_MINUTES, type InsightsRefresh, refreshInsights } from "./insights";
import type { Observed, Plan, ResolvedCatalog } from "./model";
import { lastVersionChange, observe, readInsights } from "./observe";
import { plan } from "./plan";
import { checkPromotions, type PromotionGates } from "./promotion";
import { resolve } from "./resolve";
import type { DesiredSpec } from "./spec";
import { compareMinor } from "./versions";

export interface Inspection {
  observed: Observed;
  catalog: ResolvedCatalog;
  plan: Plan;
  /** Set when the insights were refreshed for this plan (inspectForApply). */
  insightsRefresh?: InsightsRefresh;
}

/**
 * observe, resolve, plan: everything `pulumi preview` and `eks-upgrade plan` need, with reads only.
 * With a promotion gate (the upstream stack's outputs), a target it does not allow is one more
 * violation: the provider and the CLI refuse it the same way.
 */
export async function inspect(
  clients: Clients,
  spec: DesiredSpec,
  gate?: PromotionGates,
  /** The cluster as just read, when the caller needed it to make the spec (the CLI's --only). */
  alreadyObserved?: Observed,
): Promise<Inspection> {
  const observed = alreadyObserved ?? (await observe(clients, spec.clusterName));
  // The bake period, and the remedy of a lowered version (a rollback may be possible), need the
  // control plane's last upgrade: read it only then.
  if (spec.upgrade.bakeHours > 0 || compareMinor(spec.clusterVersion, observed.cluster.version) < 0)
    observed.lastVersionChange = await lastVersionChange(clients.eks, observed.cluster);
  const catalog = await resolve(clients, spec, observed);
  let planned = plan(spec, observed, catalog);
  // Node groups will roll: what their drains meet is part of the plan (drain-checks.ts).
  if (await readKubernetes(clients, spec, observed, planned)) planned = plan(spec, observed, catalog);
  return { observed, catalog, plan: gated(planned, spec, gate, observed) };
}

/** How long the API server may take to answer the reads before the checks are skipped. */
const KUBERNETES_READ_TIMEOUT_MS = 30_000;

/**
 * Reads the cluster's nodes, pods and budgets into `observed` when the plan rolls node groups or
 * moves the control plane (every kubelet counts for the skew policy) and the checks are on.
 * Returns whether anything was read or tried.
 */
async function readKubernetes(
  clients: Clients,
  spec: DesiredSpec,
  observed: Observed,
  p: Plan,
): Promise<boolean> {
  if (
    !spec.upgrade.kubernetesChecks ||
    !observed.cluster.apiServer ||
    !p.steps.some((s) => s.kind === "nodegroup" || s.kind === "controlPlane")
  )
    return false;
  await observeKubernetes(clients, spec, observed);
  return true;
}

/**
 * The cluster's nodes, pods and budgets into `observed.kubernetes`, when DescribeCluster named an
 * API server. One that cannot be read leaves `kubernetesError` (a warning, EKSUP114, not a
 * failure: EKS itself does not need it).
 */
export async function observeKubernetes(
  clients: Clients,
  spec: Pick<DesiredSpec, "clusterName" | "region" | "endpoints">,
  observed: Observed,
): Promise<void> {
  const server = observed.cluster.apiServer;
  if (!server) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    observed.kubernetes = await Promise.race([
      new KubernetesReader(clients, spec, server).read(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${KUBERNETES_READ_TIMEOUT_MS / 1000} s`)),
          KUBERNETES_READ_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (e) {
    observed.kubernetesError = `could not list nodes, pods, PodDisruptionBudgets and webhooks at ${server.endpoint} (${(e as Error).message}): the kubelets' skew and the node groups' drains were not checked`;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The inspection a run acts on: when there is something to do (or only insights stand in the
 * way), EKS evaluates the upgrade insights again first and the plan is made from the fresh ones,
 * so a run never gates on day-old findings. A plan refused for other reasons is refused as it is.
 */
export async function inspectForApply(
  clients: Clients,
  spec: DesiredSpec,
  gate: PromotionGates | undefined,
  options: RefreshOptions = {},
): Promise<Inspection> {
  const first = await inspect(clients, spec, gate);
  return needsFreshInsights(first.plan) ? refreshForApply(clients, spec, gate, first, options) : first;
}

type RefreshOptions = { timeScale?: number; signal?: AbortSignal; log?: (line: string) => void };

/** Whether a run would act on this plan: it has steps, or only insights refuse it (fresh ones may not). */
export function needsFreshInsights({ steps, violations }: Plan): boolean {
  const onlyInsights = violations.length > 0 && violations.every((v) => v.name === "INSIGHT_BLOCKING");
  return steps.length > 0 || onlyInsights;
}

/**
 * The second half of inspectForApply, for an adapter that asks first (the CLI): EKS evaluates the
 * insights again (StartInsightsRefresh, a write) and the plan is made again from the fresh ones.
 */
export async function refreshForApply(
  clients: Clients,
  spec: DesiredSpec,
  gate: PromotionGates | undefined,
  first: Inspection,
  options: RefreshOptions = {},
): Promise<Inspection> {
  options.log?.("refreshing the upgrade insights before the first change (StartInsightsRefresh)");
  const insightsRefresh = await refreshInsights(clients, spec.clusterName, options);
  const observed = { ...first.observed, insights: await readInsights(clients.eks, spec.clusterName) };
  const fresh = gated(plan(spec, observed, first.catalog), spec, gate, observed);
  if (insightsRefresh.status === "COMPLETED") {
    options.log?.("upgrade insights refreshed");
  } else {
    fresh.warnings.push(
      finding(
        "INSIGHTS_NOT_REFRESHED",
        "upgrade.insights",
        `the insights refresh ${insightsRefresh.status === "IN_PROGRESS" ? `did not finish within ${INSIGHTS_REFRESH_MINUTES} minutes` : `ended ${insightsRefresh.status}`}${insightsRefresh.message ? ` (${insightsRefresh.message})` : ""}: the plan gates on insights evaluated ${fresh.insightsEvaluatedAt ?? "at an unknown time"}`,
      ),
    );
  }
  return { observed, catalog: first.catalog, plan: fresh, insightsRefresh };
}

/** The soak is measured on EKS's clock, the one the upstream's `upgradedAt` was taken from. */
function gated(p: Plan, spec: DesiredSpec, gate: PromotionGates | undefined, observed: Observed): Plan {
  const refused = gate ? checkPromotions(spec.clusterVersion, gate, new Date(observed.observedAt)) : [];
  if (!refused.length) return p;
  return { ...p, steps: [], lines: [], violations: [...p.violations, ...refused] };
}
