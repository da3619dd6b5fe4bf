import type * as K8s from "@kubernetes/client-node";
import { readFileSync } from "node:fs";
import { recordApiUsage } from "../audit";
import type { World } from "../emulator";
import type { CrashLoopFault } from "../faults";
import { CALLER_GROUP } from "../wire/token-webhook";
import type { ClusterRecord, NodegroupRecord, UpdateRecord } from "../model";
import { ClusterApi } from "./api";
import { type ControlPlane, startControlPlane } from "./control-plane";
import { type NodeSource, nodeObject, poolNodeObject } from "./nodes";
import { RolloutCancelled, rollNodegroup } from "./rollout";
import { KUBERNETES_VERSION, kubernetesBinDir, TOOLCHAIN_HOW_TO } from "./toolchain";

/**
 * A seed with `kubernetes: true` puts a real control plane behind every cluster: one per cluster
 * name, started when the emulator first needs it and kept across resets (a reset clears the nodes
 * and the seed's namespaces and applies the new seed's), stopped with the emulator. Its API
 * server asks the emulator's token webhook about `k8s-aws-v1.` tokens, as EKS's asks its
 * authenticator. Node group version updates are driven on it (rollout.ts).
 */
const SYSTEM_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

interface Plane {
  plane: ControlPlane;
  api: ClusterApi;
  /** Nodes launched so far: names stay unique across resets. */
  launched: number;
  /** What the last seed applied to `default` (namespaced objects elsewhere go with their namespace). */
  applied: K8s.KubernetesObject[];
}

export class KubernetesBacking {
  private readonly planes = new Map<string, Promise<Plane>>();
  /** The world being served; updates of an earlier one stop at their next step. */
  private current: World | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly binDir: string,
    /** The emulator's base URL: the webhook is served there. */
    private readonly emulatorUrl: () => string,
  ) {}

  static create(emulatorUrl: () => string): KubernetesBacking {
    const binDir = kubernetesBinDir();
    if (!binDir)
      throw new Error(
        `the seed asks for Kubernetes ("kubernetes": true) but the Kubernetes v${KUBERNETES_VERSION} toolchain is missing: ${TOOLCHAIN_HOW_TO}`,
      );
    return new KubernetesBacking(binDir, emulatorUrl);
  }

  /** Brings each cluster of the world to its seed on its API server, and drives its node group updates. */
  async prepare(world: World): Promise<void> {
    this.current = world;
    await Promise.allSettled([...this.running]);
    for (const cluster of world.eks.clusterRecords()) {
      const p = await this.plane(cluster.name);
      cluster.kubernetes = { endpoint: p.plane.url, caPem: p.plane.caPem };
      await this.resetCluster(p, world, cluster);
    }
    world.eks.driveNodegroupsWith((cluster, ng, u) => this.drive(world, cluster, ng, u));
  }

  /** The kubeconfig of a cluster's API server with the admin token (for kubectl in tests and people). */
  async kubeconfig(cluster: string): Promise<string> {
    return (await this.plane(cluster)).plane.kubeconfig;
  }

  async stop(): Promise<void> {
    this.current = undefined;
    await Promise.allSettled([...this.running]);
    const planes = await Promise.allSettled([...this.planes.values()]);
    this.planes.clear();
    for (const p of planes) {
      if (p.status !== "fulfilled") continue;
      recordCalls(p.value.plane.auditLog);
      await p.value.plane.stop();
    }
  }

  pids(): Promise<number[]> {
    return Promise.all([...this.planes.values()]).then((ps) => ps.flatMap((p) => p.plane.pids()));
  }

  private plane(cluster: string): Promise<Plane> {
    let p = this.planes.get(cluster);
    if (!p) {
      p = startControlPlane({
        binDir: this.binDir,
        tokenWebhookUrl: `${this.emulatorUrl()}/authenticate/${encodeURIComponent(cluster)}`,
        auditGroups: [CALLER_GROUP],
      }).then((plane) => ({ plane, api: new ClusterApi(plane), launched: 0, applied: [] }));
      this.planes.set(cluster, p);
    }
    return p;
  }

  private async resetCluster(p: Plane, world: World, cluster: ClusterRecord): Promise<void> {
    const { api } = p;
    const doomed = (await api.namespaces()).filter((n) => !SYSTEM_NAMESPACES.has(n));
    for (const ns of doomed) await api.deleteNamespace(ns);
    // Their pods go at once (grace 0), before their nodes: a pod whose node is gone waits for the
    // pod garbage collector's 40 s quarantine, and its namespace with it.
    for (const ns of doomed) for (const pod of await api.podsIn(ns)) await api.deletePod(pod);
    for (const node of await api.nodes()) await api.deleteNode(node.metadata?.name ?? "");
    for (const object of p.applied.reverse()) await api.remove(object);
    const workloads = world.seed.clusters.find((c) => c.name === cluster.name)?.workloads ?? [];
    const wanted = new Set(workloads.map((w) => w.metadata.namespace).filter((n) => n !== undefined));
    // A namespace the new seed uses again must be gone before it is created anew.
    await api.namespacesGone(doomed.filter((n) => wanted.has(n)));

    for (const ng of cluster.nodegroups.values()) {
      for (let i = 0; i < ng.scaling.desiredSize; i++)
        await api.createNode(nodeObject(this.source(world, cluster.name, ng), p.launched++));
    }
    // Nodes outside managed node groups: nothing in the emulator ever moves them.
    for (const pool of world.seed.clusters.find((c) => c.name === cluster.name)?.nodes ?? []) {
      const patch = world.catalog.minor(pool.kubernetesVersion)?.latestPatch ?? `${pool.kubernetesVersion}.0`;
      for (let i = 0; i < pool.count; i++)
        await api.createNode(
          poolNodeObject(
            { region: world.seed.region, pool: pool.pool, name: pool.name, patch },
            p.launched++,
          ),
        );
    }
    p.applied = [];
    for (const w of workloads) {
      const object = w as K8s.KubernetesObject;
      await api.apply(object);
      if (!w.metadata.namespace) p.applied.push(object);
    }
    await api.settled(["default", ...wanted], 60_000);
  }

  private source(
    world: World,
    cluster: string,
    ng: NodegroupRecord,
    release?: { version: string; releaseVersion: string },
  ): NodeSource {
    const version = release?.version ?? ng.version;
    return {
      region: world.seed.region,
      nodegroup: ng.name,
      amiType: ng.amiType,
      version,
      releaseVersion: release?.releaseVersion ?? ng.releaseVersion,
      capacityType: ng.capacityType,
      instanceTypes: ng.instanceTypes,
      labels: ng.labels,
      latestPatch: world.catalog.minor(version)?.latestPatch ?? `${version}.0`,
      nodeInfo: world.seed.clusters
        .find((c) => c.name === cluster)
        ?.nodegroups.find((n) => n.name === ng.name)?.nodeInfo,
    };
  }

  private drive(world: World, cluster: ClusterRecord, ng: NodegroupRecord, u: UpdateRecord): void {
    if (u.effect.kind !== "nodegroupVersion") return;
    const target = this.source(world, cluster.name, ng, u.effect);
    const run = (async () => {
      const p = await this.plane(cluster.name);
      try {
        const launched: string[] = [];
        const failure = await rollNodegroup({
          api: p.api,
          clock: world.clock,
          timing: world.timing,
          target,
          desiredSize: ng.scaling.desiredSize,
          updateConfig: ng.updateConfig,
          force: u.force,
          newNode: () => {
            const node = nodeObject(target, p.launched++);
            launched.push(node.metadata.name);
            return node;
          },
          cancelled: () => this.current !== world,
        });
        // EKS reports the update Successful: the nodes joined; what runs on them is the workloads' affair.
        const crash = world.faults.crashLoop(cluster.name, ng.name);
        if (!failure && crash) await this.crashLoop(p, world, crash, launched);
        world.eks.finishDriven(cluster.name, u.id, failure);
      } catch (e) {
        if (e instanceof RolloutCancelled) return;
        // The API server failed us: EKS reports what it cannot do as the update's error.
        world.eks.finishDriven(cluster.name, u.id, {
          errorCode: "ClusterUnreachable",
          errorMessage: `Amazon EKS was unable to communicate with the cluster API server: ${(e as Error).message}`,
          resourceIds: [ng.name],
        });
      }
    })();
    this.track(run);
  }

  /**
   * The crashLoop fault: every pod on the new nodes fails as a kubelet reports it, and so does each
   * pod that lands there later, until the faults are cleared; then the failed pods are deleted and
   * their controllers start them again, healthy (a fixed image, a rolled-back config).
   */
  private async crashLoop(p: Plane, world: World, fault: CrashLoopFault, nodes: string[]): Promise<void> {
    const failed = new Map<string, { namespace: string; name: string }>();
    const crash = async () => {
      for (const node of nodes)
        for (const pod of await p.api.podsOn(node)) {
          const ref = { namespace: pod.metadata?.namespace ?? "default", name: pod.metadata?.name ?? "" };
          if (pod.metadata?.deletionTimestamp || failed.has(`${ref.namespace}/${ref.name}`)) continue;
          await p.api.failPod(pod, fault.reason);
          failed.set(`${ref.namespace}/${ref.name}`, ref);
        }
    };
    await crash();
    const lasts = () => this.current === world && world.faults.crashLoop(fault.cluster, fault.nodegroup);
    this.track(
      (async () => {
        while (lasts()) {
          await new Promise((r) => setTimeout(r, 250));
          if (lasts()) await crash().catch(() => undefined);
        }
        if (this.current !== world) return;
        for (const ref of failed.values()) await p.api.deletePod(ref).catch(() => undefined);
      })(),
    );
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }
}

/**
 * The Kubernetes calls made with EKS tokens (the API server's audit log), recorded as API usage
 * like the emulator's own AWS operations: the RBAC check compares them with docs/kubernetes-rbac.yaml.
 */
function recordCalls(auditLog: string): void {
  let text: string;
  try {
    text = readFileSync(auditLog, "utf8");
  } catch {
    return; // no call was made with an EKS token
  }
  for (const line of text.split("\n").filter(Boolean)) {
    const e = JSON.parse(line) as {
      verb?: string;
      userAgent?: string;
      objectRef?: { resource?: string; apiGroup?: string; subresource?: string };
    };
    const ref = e.objectRef;
    if (!ref?.resource || !e.verb) continue;
    const resource = `${ref.apiGroup ?? ""}/${ref.resource}${ref.subresource ? `/${ref.subresource}` : ""}`;
    recordApiUsage("kubernetes", `${e.verb}:${resource}`, e.userAgent);
  }
}
