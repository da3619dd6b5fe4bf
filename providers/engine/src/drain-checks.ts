import { CHECKS, type CheckName, type Finding, finding as baseFinding } from "./checks";
import type {
  LabelSelector,
  ObservedBudget,
  ObservedKubernetes,
  ObservedNode,
  ObservedNodegroup,
  ObservedPod,
  Step,
} from "./model";
import { CGROUP_V1_IMAGES, type Removal, REMOVALS } from "./removals";
import { type DesiredSpec, nodeGroupPolicy } from "./spec";
import { compareMinor } from "./versions";

/**
 * Before any call: what each node group's drain will meet. EKS evicts every pod of an old node
 * through the Eviction API; a PodDisruptionBudget that allows no disruption refuses, EKS retries
 * for 15 minutes and fails the update with PodEvictionFailure, without saying which pod. Here
 * every such eviction is named (namespace/pod and budget) with its remedy, as are the pods an
 * eviction loses (naked pods, emptyDir data), the admission webhooks that would refuse the
 * evicted pods' replacements, and what the target minor removes that the pods still use
 * (removals.ts). Pure: from the observed pods, budgets and webhooks.
 *
 * A finding is a violation unless the node group acknowledges it (`drainChecks: "warn"`); with
 * `force` EKS deletes pods instead of asking their budgets, so budget findings are warnings then.
 */
export function drainFindings(
  spec: DesiredSpec,
  kubernetes: ObservedKubernetes,
  nodegroups: ObservedNodegroup[],
  steps: Step[],
): { violations: Finding[]; warnings: Finding[] } {
  const violations: Finding[] = [];
  const warnings: Finding[] = [];
  const rolled = [...new Set(steps.filter((s) => s.kind === "nodegroup").map((s) => s.target))];
  for (const name of rolled) {
    const ng = nodegroups.find((n) => n.name === name);
    if (!ng) continue;
    const policy = nodeGroupPolicy(spec, name);
    const key = `nodeGroups.${name}.drainChecks`;
    const acknowledged = policy.drainChecks === "warn";
    const force = policy.force;
    const minimal = (policy.updateStrategy ?? ng.updateStrategy) === "MINIMAL";
    // The minor its nodes end on ("1.36 1.36.4-…"; a custom AMI's, the plan's target, which its
    // launch template version must run): the pods on them are recreated on that kubelet.
    const last = steps.filter((s) => s.kind === "nodegroup" && s.target === name).at(-1);
    const customAmi = last?.request.kind === "nodegroup" && last.request.launchTemplate !== undefined;
    const target = customAmi ? spec.clusterVersion : last && /^(\d+\.\d+) /.exec(last.to)?.[1];
    const found = [
      ...nodegroupFindings(kubernetes, ng, { size: batchSize(ng, policy), minimal }, key),
      ...removalFindings(kubernetes, ng.name, target, customAmi ? last?.to : undefined, key),
    ];
    for (const f of found) {
      if (CHECKS[f.name].severity === "warning") {
        warnings.push(f);
        continue;
      }
      // force has EKS delete instead of evict: that skips budgets, nothing else.
      const budgetFinding = f.name.startsWith("DRAIN_BUDGET") || f.name === "DRAIN_SINGLE_REPLICA";
      if (acknowledged || (force && budgetFinding)) {
        const why = acknowledged
          ? `acknowledged by ${key} "warn"`
          : `nodeGroups.${name}.force: EKS deletes these pods instead of evicting them, without asking the budget`;
        warnings.push(finding("DRAIN_ACKNOWLEDGED", key, `${f.code} ${f.message} (${why})`));
      } else violations.push(f);
    }
  }
  return { violations, warnings };
}

/** How a removal's check reads a pod: what of the removed thing it uses, and its name. */
const POD_READS: Partial<Record<Removal["check"], { uses: (p: ObservedPod) => string[]; noun: string }>> = {
  REMOVED_GITREPO_VOLUME: { uses: (p) => p.gitRepoVolumes ?? [], noun: "gitRepo volumes" },
};

/** How a removal's check reads a node: the fact of its image that the removed thing is, if any. */
const NODE_READS: Partial<Record<Removal["check"], (n: ObservedNode) => string | undefined>> = {
  REMOVED_CGROUP_V1: (n) =>
    n.osImage && CGROUP_V1_IMAGES.some((r) => r.test(n.osImage ?? ""))
      ? `${n.osImage}: cgroup v1`
      : undefined,
  REMOVED_CONTAINERD_1: (n) =>
    /^containerd:\/\/1\./.test(n.containerRuntime ?? "") ? n.containerRuntime : undefined,
};

/**
 * What the node group's target minor removes (removals.ts) that it still uses: pods on its nodes
 * (their replacements land on the new kubelet and cannot start there), and for a custom AMI
 * (`movesTo`: its new launch template version; EKS-optimized AMIs come right for each minor) what
 * its nodes' image runs, which the next image is most often built the same way.
 */
function removalFindings(
  k: ObservedKubernetes,
  nodegroup: string,
  target: string | undefined,
  movesTo: string | undefined,
  key: string,
): Finding[] {
  if (!target) return [];
  const nodes = k.nodes.filter((n) => n.nodegroup === nodegroup);
  const names = new Set(nodes.map((n) => n.name));
  return REMOVALS.filter((r) => compareMinor(target, r.minor) >= 0).flatMap((r) => {
    const pod = POD_READS[r.check];
    const node = NODE_READS[r.check];
    if (pod) {
      // Evicted pods and DaemonSet pods alike come back on the new nodes (mirror pods are the node's own).
      const using = k.pods.filter(
        (p) => p.node !== undefined && names.has(p.node) && !p.mirror && pod.uses(p).length,
      );
      const list = using.map((p) => `${p.namespace}/${p.name} (${pod.uses(p).join(", ")})`);
      return list.length
        ? [
            finding(
              r.check,
              key,
              `${listed(list)} on node group ${nodegroup} mount ${pod.noun}; at ${target} ${r.what} is gone: recreated on the new nodes, they cannot start`,
            ),
          ]
        : [];
    }
    if (!node || !movesTo) return [];
    const having = nodes.flatMap((n) => {
      const fact = node(n);
      return fact ? [`${n.name} (${fact})`] : [];
    });
    return having.length
      ? [
          finding(
            r.check,
            key,
            `the custom AMI of node group ${nodegroup} runs what ${target} removes, ${r.what}, on ${listed(having)}: if the AMI of ${movesTo} is built the same way, its kubelets cannot start`,
          ),
        ]
      : [];
  });
}

/** A finding whose remedy names this node group's keys (`<name>` filled in). */
function finding(name: CheckName, key: string, message: string): Finding {
  const ng = key.split(".")[1] ?? "<name>";
  return baseFinding(name, key, message, CHECKS[name].remedy.replaceAll("<name>", ng));
}

/** Nodes drained at once: the node group's maxUnavailable (the spec's when it changes it). */
function batchSize(
  ng: ObservedNodegroup,
  policy: { maxUnavailable?: number | undefined; maxUnavailablePercentage?: number | undefined } | undefined,
): number {
  const count = policy?.maxUnavailable ?? (policy?.maxUnavailablePercentage ? undefined : ng.maxUnavailable);
  const pct = policy?.maxUnavailablePercentage ?? ng.maxUnavailablePercentage;
  if (count !== undefined) return Math.max(1, count);
  if (pct !== undefined) return Math.max(1, Math.floor((ng.desiredSize * pct) / 100));
  return 1;
}

interface Batch {
  /** Nodes drained at once. */
  size: number;
  /** MINIMAL: no new node before old ones go, so an evicted pod's replacement waits for the batch. */
  minimal: boolean;
}

function nodegroupFindings(
  k: ObservedKubernetes,
  ng: ObservedNodegroup,
  batch: Batch,
  key: string,
): Finding[] {
  const nodes = new Set(k.nodes.filter((n) => n.nodegroup === ng.name).map((n) => n.name));
  const evicted = k.pods.filter((p) => p.node !== undefined && nodes.has(p.node) && evictable(p));
  const out: Finding[] = [];
  for (const budget of k.budgets) {
    const guarded = evicted.filter(
      (p) => p.namespace === budget.namespace && selects(budget.selector, p.labels),
    );
    if (guarded.length === 0) continue;
    const f = budgetFinding(budget, guarded, ng.name, batch, key);
    if (f) out.push(f);
  }
  const naked = evicted.filter((p) => p.controller === undefined);
  if (naked.length > 0) {
    out.push(
      finding(
        "DRAIN_NAKED_POD",
        key,
        `${pods(naked)} on node group ${ng.name} ${naked.length === 1 ? "has" : "have"} no controller: evicted, ${naked.length === 1 ? "it is" : "they are"} gone for good`,
      ),
    );
  }
  out.push(...webhookFindings(k, evicted, ng.name, key));
  const local = evicted.filter((p) => p.localVolumes.length > 0);
  if (local.length > 0) {
    const list = local.map((p) => `${p.namespace}/${p.name} (${p.localVolumes.join(", ")})`);
    out.push(
      finding(
        "DRAIN_LOCAL_STORAGE",
        key,
        `${listed(list)} on node group ${ng.name} keep data in emptyDir volumes: it is lost when the pod is evicted`,
      ),
    );
  }
  return out;
}

/**
 * The admission webhooks that refuse the evicted pods' replacements: failurePolicy Fail, rules
 * covering pod creation, a selector that takes those pods, and a service with no ready endpoint
 * (the API server cannot call it, so it refuses the pod). And a Fail webhook that covers
 * kube-system: whatever it serves, its own pods' eviction stops system pods from coming back.
 */
function webhookFindings(
  k: ObservedKubernetes,
  evicted: ObservedPod[],
  nodegroup: string,
  key: string,
): Finding[] {
  const out: Finding[] = [];
  // The API server labels every namespace with its name (kubernetes.io/metadata.name).
  const labelsOf = (ns: string) => ({ "kubernetes.io/metadata.name": ns, ...(k.namespaces?.[ns] ?? {}) });
  for (const w of k.webhooks ?? []) {
    if (w.failurePolicy !== "Fail" || !w.createsPods) continue;
    const what = `${w.kind} webhook ${w.name} (${w.kind === "validating" ? "Validating" : "Mutating"}WebhookConfiguration ${w.configuration}, failurePolicy Fail)`;
    const covered = evicted.filter(
      (p) => selects(w.namespaceSelector, labelsOf(p.namespace)) && selects(w.objectSelector, p.labels),
    );
    if (w.service && w.readyEndpoints === 0 && covered.length > 0)
      out.push(
        finding(
          "DRAIN_WEBHOOK_BLOCKS",
          key,
          `${what} has no ready endpoint at service ${w.service.namespace}/${w.service.name}: the replacements of ${pods(covered)}, evicted from node group ${nodegroup}, would be refused, and the services they run stay down`,
        ),
      );
    // Its own pods are in its service's namespace: the roll of a node group that holds some of them.
    const service = w.service;
    const own = service ? evicted.filter((p) => p.namespace === service.namespace) : [];
    if (service && own.length > 0 && selects(w.namespaceSelector, labelsOf("kube-system")))
      out.push(
        finding(
          "WEBHOOK_COVERS_KUBE_SYSTEM",
          key,
          `${what} covers kube-system, and node group ${nodegroup}'s roll evicts pods of ${service.namespace}, where its service ${service.namespace}/${service.name} runs: while none of them is ready, no pod of kube-system can be created`,
        ),
      );
  }
  return out;
}

function budgetFinding(
  b: ObservedBudget,
  guarded: ObservedPod[],
  nodegroup: string,
  batch: Batch,
  key: string,
): Finding | undefined {
  const budget = `PodDisruptionBudget ${b.namespace}/${b.name}`;
  const rule =
    b.minAvailable !== undefined ? `minAvailable ${b.minAvailable}` : `maxUnavailable ${b.maxUnavailable}`;
  const refused = `EKS's evictions would be refused and, after 15 minutes of retries, the node group update would fail with PodEvictionFailure`;
  if (b.disruptionsAllowed <= 0 && b.expectedPods <= 1) {
    return finding(
      "DRAIN_SINGLE_REPLICA",
      key,
      `${pods(guarded)} on node group ${nodegroup} is the only pod ${budget} (${rule}) selects: it can never be evicted; ${refused}`,
    );
  }
  if (b.disruptionsAllowed <= 0) {
    return finding(
      "DRAIN_BUDGET_BLOCKS",
      key,
      `${budget} (${rule}) allows no disruption now (${b.currentHealthy} healthy, ${b.desiredHealthy} needed): evicting ${pods(guarded)} from node group ${nodegroup} is refused; ${refused}`,
    );
  }
  // EKS drains `batch` nodes at once: the budget must allow as many of its pods as they hold.
  const perNode = new Map<string, number>();
  for (const p of guarded) perNode.set(p.node ?? "", (perNode.get(p.node ?? "") ?? 0) + 1);
  const atOnce = [...perNode.values()]
    .sort((x, y) => y - x)
    .slice(0, batch.size)
    .reduce((a, n) => a + n, 0);
  if (atOnce <= b.disruptionsAllowed) return undefined;
  const crowded = `${budget} (${rule}) allows ${b.disruptionsAllowed} disruption${b.disruptionsAllowed === 1 ? "" : "s"}, but one batch of node group ${nodegroup} (${batch.size} node${batch.size === 1 ? "" : "s"} drained at once) holds up to ${atOnce} of its pods (${pods(guarded)})`;
  return batch.minimal
    ? finding(
        "DRAIN_BUDGET_BELOW_BATCH",
        key,
        `${crowded}: with updateStrategy MINIMAL no new node takes their replacements before these nodes are gone, so the remaining evictions are refused until PodEvictionFailure`,
      )
    : finding(
        "DRAIN_WAITS_FOR_REPLACEMENTS",
        key,
        `${crowded}: the rest are evicted once the first replacements are Ready on the new nodes`,
      );
}

/** What `kubectl drain` and EKS evict: not DaemonSet or mirror pods, not finished ones. */
export function evictable(p: ObservedPod): boolean {
  return !p.mirror && p.controller !== "DaemonSet" && p.phase !== "Succeeded" && p.phase !== "Failed";
}

/** Kubernetes label selector semantics (an empty selector selects everything, as for a PDB). */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const values = e.values ?? [];
    const ok =
      e.operator === "In"
        ? has && values.includes(value ?? "")
        : e.operator === "NotIn"
          ? !has || !values.includes(value ?? "")
          : e.operator === "Exists"
            ? has
            : e.operator === "DoesNotExist"
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

function pods(list: ObservedPod[]): string {
  return listed(list.map((p) => `${p.namespace}/${p.name}`));
}

function listed(names: string[], max = 5): string {
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}
