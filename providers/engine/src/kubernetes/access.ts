import type * as K8s from "@kubernetes/client-node";
import { type Clients, USER_AGENT } from "../clients";
import { eksToken } from "../eks-token";
import type {
  NodePool,
  ObservedBudget,
  ObservedKubernetes,
  ObservedNode,
  ObservedPod,
  ObservedWebhook,
  ObservedWorkload,
  ObservedWorkloads,
} from "../model";
import { describeCluster } from "../observe";
import type { DesiredSpec } from "../spec";
import { FAILING_REASONS } from "./workload-health";

/**
 * The engine's reads of a cluster's Kubernetes API, as `kubectl` with `aws eks get-token` makes
 * them: the endpoint and CA from DescribeCluster, a fresh EKS token from the same credentials
 * for every read (tokens live 15 minutes; an upgrade takes hours). Read-only, lists only (docs/
 * kubernetes-rbac.yaml holds exactly these): nodes, pods, PodDisruptionBudgets, namespaces,
 * admission webhook configurations, EndpointSlices, and Deployments, StatefulSets and DaemonSets
 * (the health gate).
 * @kubernetes/client-node loads on first use only.
 */
export interface ApiServer {
  endpoint: string;
  /** base64 PEM, as DescribeCluster gives it. */
  caData: string;
}

const NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup";
const DRAIN_TAINT = { key: NODEGROUP_LABEL, value: "unschedulable", effect: "NoSchedule" };

function load(): typeof K8s {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("@kubernetes/client-node") as typeof K8s;
}

export class KubernetesReader {
  private readonly k8s = load();

  constructor(
    private readonly clients: Clients,
    private readonly spec: Pick<DesiredSpec, "clusterName" | "region" | "endpoints">,
    readonly server: ApiServer,
  ) {}

  /** The nodes of one managed node group (a label selector: a small answer, for every poll). */
  async nodegroupNodes(nodegroup: string): Promise<ObservedNode[]> {
    const kc = await this.config();
    const core = kc.makeApiClient(this.k8s.CoreV1Api);
    const nodes = await core.listNode({ labelSelector: `${NODEGROUP_LABEL}=${nodegroup}` }, this.agent());
    return nodes.items.map(nodeOf);
  }

  /**
   * What a drain of these nodes meets: the pods on the draining ones (a field selector per node,
   * not every pod of the cluster at every poll) and the budgets.
   */
  async draining(nodes: ObservedNode[]): Promise<ObservedKubernetes> {
    const kc = await this.config();
    const core = kc.makeApiClient(this.k8s.CoreV1Api);
    const policy = kc.makeApiClient(this.k8s.PolicyV1Api);
    const agent = this.agent();
    const [budgets, ...pods] = await Promise.all([
      policy.listPodDisruptionBudgetForAllNamespaces({}, agent),
      ...nodes
        .filter((n) => n.draining)
        .map((n) => core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${n.name}` }, agent)),
    ]);
    return { nodes, pods: pods.flatMap((p) => p.items.map(podOf)), budgets: budgets.items.map(budgetOf) };
  }

  async read(): Promise<ObservedKubernetes> {
    const kc = await this.config();
    const core = kc.makeApiClient(this.k8s.CoreV1Api);
    const policy = kc.makeApiClient(this.k8s.PolicyV1Api);
    const admission = kc.makeApiClient(this.k8s.AdmissionregistrationV1Api);
    const discovery = kc.makeApiClient(this.k8s.DiscoveryV1Api);
    const agent = this.agent();
    const [nodes, pods, budgets, namespaces, validating, mutating, slices] = await Promise.all([
      core.listNode({}, agent),
      core.listPodForAllNamespaces({}, agent),
      policy.listPodDisruptionBudgetForAllNamespaces({}, agent),
      core.listNamespace({}, agent),
      admission.listValidatingWebhookConfiguration({}, agent),
      admission.listMutatingWebhookConfiguration({}, agent),
      discovery.listEndpointSliceForAllNamespaces({}, agent),
    ]);
    // Ready endpoints per service, from its EndpointSlices (label kubernetes.io/service-name).
    const ready = new Map<string, number>();
    for (const slice of slices.items) {
      const service = slice.metadata?.labels?.["kubernetes.io/service-name"];
      if (!service) continue;
      const id = `${slice.metadata?.namespace}/${service}`;
      const n = (slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length;
      ready.set(id, (ready.get(id) ?? 0) + n);
    }
    const webhooksOf = (
      kind: ObservedWebhook["kind"],
      configs: (K8s.V1ValidatingWebhookConfiguration | K8s.V1MutatingWebhookConfiguration)[],
    ) =>
      configs.flatMap((c) =>
        (c.webhooks ?? []).map((w) => webhookOf(kind, c.metadata?.name ?? "", w, ready)),
      );
    return {
      nodes: nodes.items.map(nodeOf),
      pods: pods.items.map(podOf),
      budgets: budgets.items.map(budgetOf),
      namespaces: Object.fromEntries(
        namespaces.items.map((n) => [n.metadata?.name ?? "", n.metadata?.labels ?? {}]),
      ),
      webhooks: [...webhooksOf("validating", validating.items), ...webhooksOf("mutating", mutating.items)],
    };
  }

  /** The workloads and their pods: what the health gate compares before and after a step. */
  async workloads(): Promise<ObservedWorkloads> {
    const kc = await this.config();
    const core = kc.makeApiClient(this.k8s.CoreV1Api);
    const apps = kc.makeApiClient(this.k8s.AppsV1Api);
    const agent = this.agent();
    const [pods, deployments, statefulSets, daemonSets] = await Promise.all([
      core.listPodForAllNamespaces({}, agent),
      apps.listDeploymentForAllNamespaces({}, agent),
      apps.listStatefulSetForAllNamespaces({}, agent),
      apps.listDaemonSetForAllNamespaces({}, agent),
    ]);
    const workload = (
      kind: ObservedWorkload["kind"],
      o: K8s.V1Deployment | K8s.V1StatefulSet | K8s.V1DaemonSet,
      desired: number,
      ready: number,
    ): ObservedWorkload => ({
      kind,
      namespace: o.metadata?.namespace ?? "default",
      name: o.metadata?.name ?? "",
      desired,
      ready,
      selector: {
        matchLabels: o.spec?.selector.matchLabels,
        matchExpressions: o.spec?.selector.matchExpressions,
      },
    });
    return {
      workloads: [
        // A Deployment or StatefulSet without replicas wants one (the API server's default).
        ...deployments.items.map((d) =>
          workload("Deployment", d, d.spec?.replicas ?? 1, d.status?.readyReplicas ?? 0),
        ),
        ...statefulSets.items.map((s) =>
          workload("StatefulSet", s, s.spec?.replicas ?? 1, s.status?.readyReplicas ?? 0),
        ),
        ...daemonSets.items.map((d) =>
          workload("DaemonSet", d, d.status?.desiredNumberScheduled ?? 0, d.status?.numberReady ?? 0),
        ),
      ],
      pods: pods.items.map(podOf),
    };
  }

  /** Our calls carry the engine's user agent, as its AWS calls do (the cluster's audit log tells them apart). */
  private agent() {
    return this.k8s.setHeaderOptions("User-Agent", USER_AGENT);
  }

  private async config(): Promise<K8s.KubeConfig> {
    const token = await eksToken({
      clusterName: this.spec.clusterName,
      region: this.spec.region,
      stsEndpoint: this.spec.endpoints?.sts ?? this.spec.endpoints?.eks,
      credentials: this.clients.sts.config.credentials,
    });
    const kc = new this.k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: this.spec.clusterName, server: this.server.endpoint, caData: this.server.caData }],
      users: [{ name: "eks-upgrade", token }],
      contexts: [{ name: "eks-upgrade", cluster: this.spec.clusterName, user: "eks-upgrade" }],
      currentContext: "eks-upgrade",
    });
    return kc;
  }
}

/**
 * The cluster's API server when the checks are on and DescribeCluster names one, looked up once on
 * first use (the execute stage's readers share it).
 */
export function lazyReader(
  clients: Clients,
  spec: Pick<DesiredSpec, "clusterName" | "region" | "endpoints" | "upgrade">,
): () => Promise<KubernetesReader | undefined> {
  let reader: Promise<KubernetesReader | undefined> | undefined;
  return () => {
    if (!spec.upgrade.kubernetesChecks) return Promise.resolve(undefined);
    reader ??= describeCluster(clients.eks, spec.clusterName).then((c) =>
      c.apiServer ? new KubernetesReader(clients, spec, c.apiServer) : undefined,
    );
    return reader;
  };
}

/** What runs a node, from the labels EKS, Fargate, Karpenter and eksctl put on it (model.ts). */
export function poolOf(labels: Record<string, string>): NodePool {
  const nodegroup = labels[NODEGROUP_LABEL];
  if (nodegroup) return { kind: "nodegroup", name: nodegroup };
  const compute = labels["eks.amazonaws.com/compute-type"];
  // Auto Mode's nodes carry Karpenter's label too (it runs Karpenter): compute-type comes first.
  if (compute === "auto") return { kind: "autoMode", name: labels["karpenter.sh/nodepool"] ?? "auto" };
  if (compute === "fargate")
    return { kind: "fargate", name: labels["eks.amazonaws.com/fargate-profile"] ?? "fargate" };
  const nodepool = labels["karpenter.sh/nodepool"];
  if (nodepool) return { kind: "karpenter", name: nodepool };
  return { kind: "selfManaged", name: labels["alpha.eksctl.io/nodegroup-name"] ?? "self-managed" };
}

function nodeOf(n: K8s.V1Node): ObservedNode {
  return {
    name: n.metadata?.name ?? "",
    nodegroup: n.metadata?.labels?.[NODEGROUP_LABEL],
    pool: poolOf(n.metadata?.labels ?? {}),
    kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? "",
    ready: n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    unschedulable: n.spec?.unschedulable === true,
    draining:
      n.spec?.taints?.some(
        (t) => t.key === DRAIN_TAINT.key && t.value === DRAIN_TAINT.value && t.effect === DRAIN_TAINT.effect,
      ) ?? false,
    osImage: n.status?.nodeInfo?.osImage,
    containerRuntime: n.status?.nodeInfo?.containerRuntimeVersion,
  };
}

function podOf(p: K8s.V1Pod): ObservedPod {
  return {
    namespace: p.metadata?.namespace ?? "default",
    name: p.metadata?.name ?? "",
    node: p.spec?.nodeName,
    labels: p.metadata?.labels ?? {},
    controller: p.metadata?.ownerReferences?.find((o) => o.controller)?.kind,
    phase: p.status?.phase ?? "Unknown",
    mirror: p.metadata?.annotations?.["kubernetes.io/config.mirror"] !== undefined,
    localVolumes: (p.spec?.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name),
    gitRepoVolumes: (p.spec?.volumes ?? []).filter((v) => v.gitRepo).map((v) => v.name),
    createdAt: p.metadata?.creationTimestamp ? new Date(p.metadata.creationTimestamp).getTime() : 0,
    failing: [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]
      .map((c) => c.state?.waiting?.reason)
      .find((r) => r !== undefined && FAILING_REASONS.includes(r)),
  };
}

function webhookOf(
  kind: ObservedWebhook["kind"],
  configuration: string,
  w: K8s.V1ValidatingWebhook | K8s.V1MutatingWebhook,
  ready: Map<string, number>,
): ObservedWebhook {
  const service = w.clientConfig.service;
  const any = (list: string[] | undefined, ...wanted: string[]) =>
    (list ?? []).some((x) => x === "*" || wanted.includes(x));
  return {
    kind,
    configuration,
    name: w.name,
    // admissionregistration.k8s.io/v1 defaults failurePolicy to Fail.
    failurePolicy: w.failurePolicy ?? "Fail",
    service: service ? { namespace: service.namespace, name: service.name } : undefined,
    readyEndpoints: service ? (ready.get(`${service.namespace}/${service.name}`) ?? 0) : 0,
    createsPods: (w.rules ?? []).some(
      (r) => any(r.apiGroups, "") && any(r.resources, "pods", "*/*") && any(r.operations, "CREATE"),
    ),
    namespaceSelector: {
      matchLabels: w.namespaceSelector?.matchLabels,
      matchExpressions: w.namespaceSelector?.matchExpressions,
    },
    objectSelector: {
      matchLabels: w.objectSelector?.matchLabels,
      matchExpressions: w.objectSelector?.matchExpressions,
    },
  };
}

function budgetOf(b: K8s.V1PodDisruptionBudget): ObservedBudget {
  return {
    namespace: b.metadata?.namespace ?? "default",
    name: b.metadata?.name ?? "",
    selector: {
      matchLabels: b.spec?.selector?.matchLabels,
      matchExpressions: b.spec?.selector?.matchExpressions,
    },
    minAvailable: b.spec?.minAvailable,
    maxUnavailable: b.spec?.maxUnavailable,
    disruptionsAllowed: b.status?.disruptionsAllowed ?? 0,
    currentHealthy: b.status?.currentHealthy ?? 0,
    desiredHealthy: b.status?.desiredHealthy ?? 0,
    expectedPods: b.status?.expectedPods ?? 0,
  };
}
