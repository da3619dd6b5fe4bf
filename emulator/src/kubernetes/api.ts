import type * as K8s from "@kubernetes/client-node";
import type { NodeObject } from "./nodes";

/**
 * The emulator's side of a cluster's API server: what EKS's own machinery does there (nodes
 * joining and leaving, the taint, cordon, evictions) and what a seed applies. It signs in with the
 * control plane's admin token, not through the webhook, as EKS's controllers are not users.
 * @kubernetes/client-node loads only when a seed asks for Kubernetes.
 */
export interface PlaneAccess {
  url: string;
  caPem: string;
  token: string;
}

export interface PodRef {
  namespace: string;
  name: string;
}

function load(): typeof K8s {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("@kubernetes/client-node") as typeof K8s;
}

export class ClusterApi {
  private readonly k8s = load();
  private readonly core: K8s.CoreV1Api;
  private readonly apps: K8s.AppsV1Api;
  private readonly policy: K8s.PolicyV1Api;
  private readonly objects: K8s.KubernetesObjectApi;

  constructor(access: PlaneAccess) {
    const kc = new this.k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "eks", server: access.url, caData: Buffer.from(access.caPem).toString("base64") }],
      users: [{ name: "eks-admin", token: access.token }],
      contexts: [{ name: "eks", cluster: "eks", user: "eks-admin" }],
      currentContext: "eks",
    });
    this.core = kc.makeApiClient(this.k8s.CoreV1Api);
    this.apps = kc.makeApiClient(this.k8s.AppsV1Api);
    this.policy = kc.makeApiClient(this.k8s.PolicyV1Api);
    this.objects = this.k8s.KubernetesObjectApi.makeApiClient(kc);
  }

  async nodes(labelSelector?: string): Promise<K8s.V1Node[]> {
    return (await this.core.listNode(labelSelector ? { labelSelector } : {})).items;
  }

  async createNode(node: NodeObject): Promise<void> {
    await this.core.createNode({ body: node });
  }

  async patchNode(name: string, patch: Record<string, unknown>): Promise<void> {
    await this.core.patchNode(
      { name, body: patch },
      this.k8s.setHeaderOptions("Content-Type", this.k8s.PatchStrategy.MergePatch),
    );
  }

  async deleteNode(name: string): Promise<void> {
    await this.ignoreNotFound(this.core.deleteNode({ name }));
  }

  async podsOn(nodeName: string): Promise<K8s.V1Pod[]> {
    return (await this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` })).items;
  }

  async podsIn(namespace: string): Promise<PodRef[]> {
    return (await this.core.listNamespacedPod({ namespace })).items.map((p) => ({
      namespace,
      name: p.metadata?.name ?? "",
    }));
  }

  /**
   * POST .../eviction: the API server asks the pod's budgets. A refusal (429, a budget allows no
   * disruption) is what a drain retries; a pod already gone is evicted; anything else is an error.
   */
  async evict(pod: PodRef): Promise<void> {
    try {
      await this.core.createNamespacedPodEviction({
        name: pod.name,
        namespace: pod.namespace,
        body: { apiVersion: "policy/v1", kind: "Eviction", metadata: pod },
      });
    } catch (e) {
      if (statusOf(e) !== 429 && statusOf(e) !== 404) throw e;
    }
  }

  async deletePod(pod: PodRef): Promise<void> {
    await this.ignoreNotFound(this.core.deleteNamespacedPod({ ...pod, gracePeriodSeconds: 0 }));
  }

  /**
   * What a kubelet reports of a pod whose containers keep failing: Running, not Ready, each
   * container waiting with `reason` after a few restarts (`kubectl get pods` shows the reason).
   */
  async failPod(pod: K8s.V1Pod, reason: string): Promise<void> {
    const now = new Date().toISOString();
    const name = pod.metadata?.name ?? "";
    const notReady = { status: "False", lastTransitionTime: now, reason: "ContainersNotReady" };
    await this.ignoreNotFound(
      this.core.patchNamespacedPodStatus(
        {
          name,
          namespace: pod.metadata?.namespace ?? "default",
          body: {
            status: {
              phase: "Running",
              conditions: [
                { type: "PodScheduled", status: "True", lastTransitionTime: now },
                { type: "Initialized", status: "True", lastTransitionTime: now },
                { type: "Ready", ...notReady },
                { type: "ContainersReady", ...notReady },
              ],
              containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
                name: c.name,
                image: c.image ?? "",
                imageID: "",
                ready: false,
                started: false,
                restartCount: 4,
                state: {
                  waiting: {
                    reason,
                    message: `back-off 1m20s restarting failed container=${c.name} pod=${name}`,
                  },
                },
                lastState: { terminated: { exitCode: 1, reason: "Error", startedAt: now, finishedAt: now } },
              })),
            },
          },
        },
        this.k8s.setHeaderOptions("Content-Type", this.k8s.PatchStrategy.MergePatch),
      ),
    );
  }

  /** Server-side apply, as `kubectl apply --server-side` does; the namespace first when it is missing. */
  async apply(object: K8s.KubernetesObject): Promise<void> {
    const namespace = object.metadata?.namespace;
    if (namespace && object.kind !== "Namespace") await this.ensureNamespace(namespace);
    await this.objects.patch(
      object,
      undefined,
      undefined,
      "eks-emulator",
      true,
      this.k8s.PatchStrategy.ServerSideApply,
    );
  }

  async remove(object: K8s.KubernetesObject): Promise<void> {
    await this.ignoreNotFound(this.objects.delete(object));
  }

  /**
   * Until what a seed applied (in these namespaces) has settled, so that a test starts from a steady cluster: each
   * Deployment and DaemonSet ready as declared, each budget counted by the disruption controller,
   * each scheduled pod Running. A seed may mean pods to stay Pending: after `timeoutMs` it goes on.
   */
  async settled(namespaces: string[], timeoutMs: number): Promise<void> {
    const mine = (o: { metadata?: { namespace?: string } }) =>
      namespaces.includes(o.metadata?.namespace ?? "");
    const deadline = Date.now() + timeoutMs;
    const observed = (o: { metadata?: { generation?: number }; status?: { observedGeneration?: number } }) =>
      (o.status?.observedGeneration ?? 0) >= (o.metadata?.generation ?? 0);
    while (Date.now() < deadline) {
      const [deployments, daemonSets, budgets, pods] = await Promise.all([
        this.apps.listDeploymentForAllNamespaces(),
        this.apps.listDaemonSetForAllNamespaces(),
        this.policy.listPodDisruptionBudgetForAllNamespaces(),
        this.core.listPodForAllNamespaces(),
      ]);
      const steady =
        deployments.items
          .filter(mine)
          .every((d) => observed(d) && (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 1)) &&
        daemonSets.items
          .filter(mine)
          .every(
            (d) => observed(d) && (d.status?.numberReady ?? 0) >= (d.status?.desiredNumberScheduled ?? 0),
          ) &&
        budgets.items
          .filter(mine)
          .every(
            (b) =>
              b.status !== undefined && (b.status.observedGeneration ?? 0) >= (b.metadata?.generation ?? 0),
          ) &&
        pods.items
          .filter(mine)
          .every(
            (p) => !p.spec?.nodeName || p.status?.phase === "Running" || p.status?.phase === "Succeeded",
          );
      if (steady) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async namespaces(): Promise<string[]> {
    return (await this.core.listNamespace()).items.map((n) => n.metadata?.name ?? "");
  }

  async deleteNamespace(name: string): Promise<void> {
    await this.ignoreNotFound(this.core.deleteNamespace({ name }));
  }

  /** Until the namespaces are gone (the namespace controller empties them first). */
  async namespacesGone(names: string[], timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = (await this.namespaces()).filter((n) => names.includes(n));
      if (left.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`namespaces ${left.join(", ")} were not deleted within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async ensureNamespace(name: string): Promise<void> {
    try {
      await this.core.createNamespace({ body: { metadata: { name } } });
    } catch (e) {
      if (statusOf(e) !== 409) throw e;
    }
  }

  private async ignoreNotFound(call: Promise<unknown>): Promise<void> {
    try {
      await call;
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
  }
}

function statusOf(e: unknown): number | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}
