import type { Clients } from "./clients";
import type { Observed, Plan, ResolvedCatalog } from "./model";
import { observe } from "./observe";
import { plan } from "./plan";
import { checkPromotion, type PromotionGate } from "./promotion";
import { resolve } from "./resolve";
import type { DesiredSpec } from "./spec";

export interface Inspection {
  observed: Observed;
  catalog: ResolvedCatalog;
  plan: Plan;
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
  const catalog = await resolve(clients, spec, observed);
  return { observed, catalog, plan: gated(plan(spec, observed, catalog), spec, gate) };
}

function gated(p: Plan, spec: DesiredSpec, gate: PromotionGate | undefined): Plan {
  const refused = gate ? checkPromotion(spec.clusterVersion, gate) : [];
  if (!refused.length) return p;
  return { ...p, steps: [], lines: [], violations: [...p.violations, ...refused] };
}
