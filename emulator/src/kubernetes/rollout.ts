import type * as K8s from "@kubernetes/client-node";
import type { SimClock } from "../clock";
import type { UpdateError } from "../model";
import { parallelism, type Timing } from "../timing";
import type { ClusterApi, PodRef } from "./api";
import {
  IMAGE_LABEL,
  NODEGROUP_LABEL,
  type NodeObject,
  type NodeSource,
  nodeImage,
  UNSCHEDULABLE_TAINT,
} from "./nodes";

/**
 * A managed node group's version update played on the cluster's real API server, in EKS's four
 * phases (the node group update behavior the seed guide describes):
 *  setup      — the wait for the new launch template version;
 *  scale up   — new nodes at the target release join (DEFAULT; MINIMAL adds each batch's after it);
 *               every node without the target image gets eks.amazonaws.com/nodegroup=unschedulable:NoSchedule;
 *  upgrade    — batches of maxUnavailable old nodes: their pods evicted through the Eviction API
 *               (never deleted, unless the update was forced), retried while a budget refuses,
 *               cordoned once empty, 60 s (cordonWaitMinutes) later deleted;
 *  scale down — the wait for the Auto Scaling group to shrink back.
 * A drain that a budget keeps refusing ends the update after drainTimeoutMinutes with
 * PodEvictionFailure naming the nodes. Waits run on the simulated clock.
 */
export interface RolloutInput {
  api: ClusterApi;
  clock: SimClock;
  timing: Timing;
  /** What the nodes of the target release are made of. */
  target: NodeSource;
  desiredSize: number;
  updateConfig: {
    maxUnavailable?: number | undefined;
    maxUnavailablePercentage?: number | undefined;
    updateStrategy?: "DEFAULT" | "MINIMAL" | undefined;
  };
  force: boolean;
  /** The next node to launch, at the target release (its name unique in the cluster). */
  newNode: () => NodeObject;
  /** True once the update is no longer wanted (the emulator was reset or stopped). */
  cancelled: () => boolean;
}

export class RolloutCancelled extends Error {}

/** Resolves with undefined on success, or the update's error. */
export async function rollNodegroup(input: RolloutInput): Promise<UpdateError | undefined> {
  const { api, timing, target } = input;
  const m = timing.model;
  const minute = 60_000;
  const sleep = (simMs: number) => pause(input, simMs);
  const selector = `${NODEGROUP_LABEL}=${target.nodegroup}`;
  const image = nodeImage(target);
  const minimal = input.updateConfig.updateStrategy === "MINIMAL";

  await sleep(m.nodegroupSetupMinutes * minute);
  const present = await api.nodes(selector);
  const old = present
    .filter((n) => n.metadata?.labels?.[IMAGE_LABEL] !== image)
    .map((n) => n.metadata?.name ?? "");
  // Nodes already at the target (from an earlier, failed update) stay and count.
  const missing = Math.max(0, input.desiredSize - (present.length - old.length));
  const launch = async (count: number) => {
    if (count === 0) return;
    await sleep(m.nodeLaunchMinutes * minute);
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      const node = input.newNode();
      await api.createNode(node);
      names.push(node.metadata.name);
    }
    await nodesReady(input, names);
  };
  if (!minimal) await launch(missing);
  for (const name of old) await api.patchNode(name, { spec: { taints: [UNSCHEDULABLE_TAINT] } });

  const batchSize = Math.min(
    parallelism({ desiredSize: input.desiredSize, ...input.updateConfig }),
    Math.max(1, old.length),
  );
  let launched = minimal ? 0 : missing;
  for (let i = 0; i < old.length; i += batchSize) {
    const batch = old.slice(i, i + batchSize);
    const blocked = await drain(input, batch);
    if (blocked) {
      return {
        errorCode: "PodEvictionFailure",
        errorMessage: `Reached max retries while trying to evict pods from nodes in node group ${target.nodegroup}`,
        resourceIds: blocked,
      };
    }
    for (const name of batch) await api.patchNode(name, { spec: { unschedulable: true } });
    await sleep(m.cordonWaitMinutes * minute);
    for (const name of batch) await api.deleteNode(name);
    if (minimal) {
      const count = Math.min(batch.length, missing - launched);
      await launch(count);
      launched += count;
    }
  }
  if (minimal) await launch(missing - launched);
  await sleep(m.nodegroupScaleDownMinutes * minute);
  return undefined;
}

/**
 * The least real time a drain retries refused evictions before it gives up. At the tests' time
 * scales EKS's 15 minutes are under a second, less than a loaded machine's disruption controller
 * may take to count a replacement pod (a drain that a budget allows then failed 1 run in 10).
 */
const DRAIN_REAL_FLOOR_MS = 5_000;

/**
 * Evicts every pod of the nodes (but DaemonSet and mirror pods, as `kubectl drain` leaves them)
 * until none is left, retrying refused evictions; returns the nodes still holding pods when
 * the drain timeout passes, else undefined.
 */
async function drain(input: RolloutInput, nodes: string[]): Promise<string[] | undefined> {
  const { api, clock, timing } = input;
  const deadline = clock.now() + timing.model.drainTimeoutMinutes * 60_000;
  // The API server's controllers run in real time: a budget needs a moment to count a replacement
  // Ready before it allows the next eviction, whatever the time scale makes of 15 minutes.
  const realDeadline = Date.now() + DRAIN_REAL_FLOOR_MS;
  for (;;) {
    const holding: string[] = [];
    for (const node of nodes) {
      const pods = (await api.podsOn(node)).filter(evictable);
      if (pods.length > 0) holding.push(node);
      for (const pod of pods) {
        if (pod.metadata?.deletionTimestamp) continue;
        const ref: PodRef = {
          namespace: pod.metadata?.namespace ?? "default",
          name: pod.metadata?.name ?? "",
        };
        if (input.force) await api.deletePod(ref);
        else await api.evict(ref);
      }
    }
    if (holding.length === 0) return undefined;
    if (clock.now() >= deadline && Date.now() >= realDeadline) return holding;
    // kubectl drain and EKS retry a refused eviction every few seconds.
    await pause(input, 5_000);
  }
}

/** Until kwok reports the joined nodes Ready (it does within a second or so; bounded at 60 s real). */
async function nodesReady(input: RolloutInput, names: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = new Set(
      (await input.api.nodes(`${NODEGROUP_LABEL}=${input.target.nodegroup}`))
        .filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
        .map((n) => n.metadata?.name),
    );
    if (names.every((n) => ready.has(n))) return;
    if (Date.now() > deadline) throw new Error(`nodes ${names.join(", ")} did not become Ready`);
    await pause(input, 0);
  }
}

function evictable(pod: K8s.V1Pod): boolean {
  const mirror = pod.metadata?.annotations?.["kubernetes.io/config.mirror"] !== undefined;
  const daemon = pod.metadata?.ownerReferences?.some((o) => o.kind === "DaemonSet") ?? false;
  const finished = pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
  return !mirror && !daemon && !finished;
}

/** Waits a simulated duration (at least 20 real ms, so that retries do not spin). */
async function pause(input: RolloutInput, simMs: number): Promise<void> {
  if (input.cancelled()) throw new RolloutCancelled();
  await new Promise((r) => setTimeout(r, Math.max(20, input.clock.toRealMs(simMs))));
  if (input.cancelled()) throw new RolloutCancelled();
}
