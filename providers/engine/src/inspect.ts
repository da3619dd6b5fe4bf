import type { Clients } from "./clients";
import type { Observed, Plan, ResolvedCatalog } from "./model";
import { observe } from "./observe";
import { plan } from "./plan";
import { resolve } from "./resolve";
import type { DesiredSpec } from "./spec";

export interface Inspection {
  observed: Observed;
  catalog: ResolvedCatalog;
  plan: Plan;
}

/** observe, resolve, plan: everything `pulumi preview` and `eks-upgrade plan` need, with reads only. */
export async function inspect(clients: Clients, spec: DesiredSpec): Promise<Inspection> {
  const observed = await observe(clients, spec.clusterName);
  const catalog = await resolve(clients, spec, observed);
  return { observed, catalog, plan: plan(spec, observed, catalog) };
}
