import { finding } from "./checks";
import type { Clients } from "./clients";
import { INSIGHTS_REFRESH_MINUTES, type InsightsRefresh, refreshInsights } from "./insights";
import type { Observed, Plan, ResolvedCatalog } from "./model";
import { lastVersionChange, observe, readInsights } from "./observe";
import { plan } from "./plan";
import { checkPromotion, type PromotionGate } from "./promotion";
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
  gate?: PromotionGate,
): Promise<Inspection> {
  const observed = await observe(clients, spec.clusterName);
  // The bake period, and the remedy of a lowered version (a rollback may be possible), need the
  // control plane's last upgrade: read it only then.
  if (spec.upgrade.bakeHours > 0 || compareMinor(spec.clusterVersion, observed.cluster.version) < 0)
    observed.lastVersionChange = await lastVersionChange(clients.eks, observed.cluster);
  const catalog = await resolve(clients, spec, observed);
  return { observed, catalog, plan: gated(plan(spec, observed, catalog), spec, gate) };
}

/**
 * The inspection a run acts on: when there is something to do (or only insights stand in the
 * way), EKS evaluates the upgrade insights again first and the plan is made from the fresh ones,
 * so a run never gates on day-old findings. A plan refused for other reasons is refused as it is.
 */
export async function inspectForApply(
  clients: Clients,
  spec: DesiredSpec,
  gate: PromotionGate | undefined,
  options: { timeScale?: number; signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<Inspection> {
  const first = await inspect(clients, spec, gate);
  const { steps, violations } = first.plan;
  const onlyInsights = violations.length > 0 && violations.every((v) => v.name === "INSIGHT_BLOCKING");
  if (!steps.length && !onlyInsights) return first;
  options.log?.("refreshing the upgrade insights before the first change (StartInsightsRefresh)");
  const insightsRefresh = await refreshInsights(clients, spec.clusterName, options);
  const observed = { ...first.observed, insights: await readInsights(clients.eks, spec.clusterName) };
  const fresh = gated(plan(spec, observed, first.catalog), spec, gate);
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

function gated(p: Plan, spec: DesiredSpec, gate: PromotionGate | undefined): Plan {
  const refused = gate ? checkPromotion(spec.clusterVersion, gate) : [];
  if (!refused.length) return p;
  return { ...p, steps: [], lines: [], violations: [...p.violations, ...refused] };
}
