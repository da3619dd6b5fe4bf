import { DescribeClusterVersionsCommand } from "@aws-sdk/client-eks";
import {
  type Clients,
  type ClusterRef,
  createClients,
  destroyClients,
  timeScaleOf,
} from "@eks-upgrade/engine";
import { setTimeout as sleep } from "node:timers/promises";
import { readStackOutputsAsync } from "./stack-outputs";

/**
 * A stage's soak, as `fleet up` waits for it and the rollout workflow's gate checks it: measured
 * from the last change among the stage's stacks (their `upgradedAt` output, the time of EKS's
 * answers in the run that changed something) on EKS's clock.
 */
export interface LastChange {
  /** The stack that changed last, and when (ms since the epoch, EKS's time). */
  last?: { stack: string; at: number };
  /** Stacks whose outputs could not be read, and why. */
  unreadable: { stack: string; error: string }[];
}

/** The last recorded change among `stacks` (a stack that never recorded one does not count). */
export async function lastChange(stacks: readonly string[]): Promise<LastChange> {
  const read = await Promise.all(
    stacks.map(async (stack) => ({ stack, r: await readStackOutputsAsync(stack) })),
  );
  let last: LastChange["last"];
  const unreadable: LastChange["unreadable"] = [];
  for (const { stack, r } of read) {
    if ("error" in r) unreadable.push({ stack, error: r.error });
    else if (typeof r.outputs.upgradedAt === "string") {
      const at = Date.parse(r.outputs.upgradedAt);
      if (!last || at > last.at) last = { stack, at };
    }
  }
  return { ...(last ? { last } : {}), unreadable };
}

/**
 * EKS's time now (the Date of its answer; the emulator's runs faster than the wall clock), asked
 * with a call that touches no cluster (DescribeClusterVersions, which the IAM policy grants).
 */
export async function eksNow(ref: ClusterRef): Promise<number> {
  const clients = createClients(ref);
  try {
    return await askTime(clients);
  } finally {
    destroyClients(clients);
  }
}

async function askTime(clients: Clients): Promise<number> {
  await clients.eks.send(new DescribeClusterVersionsCommand({ maxResults: 1 }));
  return clients.clock.now();
}

/**
 * Waits until EKS's clock passes `until` (ms since the epoch), or `stop` aborts: sleeps what is
 * left at the endpoint's time scale, then asks again.
 */
export async function untilEksTime(ref: ClusterRef, until: number, stop: AbortSignal): Promise<void> {
  const scale = await timeScaleOf(ref);
  const clients = createClients(ref);
  try {
    for (;;) {
      const left = until - (await askTime(clients));
      if (left <= 0 || stop.aborted) return;
      await sleep(Math.min(left * scale, 60_000) + 50, undefined, { signal: stop }).catch(() => {});
    }
  } finally {
    destroyClients(clients);
  }
}
