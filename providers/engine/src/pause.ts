import {
  type EKSClient,
  DescribeClusterCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-eks";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { Clients } from "./clients";

/*
 * A pause lives with the cluster, in EKS: three tags on it. Every run, on any machine, reads them
 * before each step and between polls, so `eks-upgrade pause` on a laptop stops the rollout a CI
 * job runs, after the step in flight. IAM can grant the tag actions for these keys alone
 * (docs/iam-policy.json: aws:TagKeys like "eks-upgrade:paused*").
 */
export const PAUSE_TAGS = {
  reason: "eks-upgrade:paused",
  by: "eks-upgrade:paused-by",
  at: "eks-upgrade:paused-at",
} as const;

/** Who paused the cluster's upgrades, when (ISO 8601, UTC) and why. */
export interface Pause {
  reason: string;
  by: string;
  at: string;
}

/** The characters every AWS service accepts in a tag value (EKS's TagMap documents them). */
const TAG_VALUE = /^[\p{L}\p{N} +\-=._:/@]*$/u;
const TAG_VALUE_MAX = 256;

/** Why a pause reason cannot be a tag value, or undefined when it can. */
export function pauseReasonProblem(reason: string): string | undefined {
  if (!reason.trim()) return "say why (it is shown to every run the pause stops)";
  if (reason.length > TAG_VALUE_MAX) return `at most ${TAG_VALUE_MAX} characters (an EKS tag value)`;
  const bad = [...new Set([...reason].filter((c) => !TAG_VALUE.test(c)))];
  if (bad.length)
    return `${bad.map((c) => JSON.stringify(c)).join(", ")} cannot be in an AWS tag value: use letters, digits, spaces and + - = . _ : / @`;
  return undefined;
}

/** The pause the cluster's tags record, if any. */
export function pauseOf(tags: Record<string, string | undefined> | undefined): Pause | undefined {
  const reason = tags?.[PAUSE_TAGS.reason];
  if (reason === undefined) return undefined;
  return {
    reason,
    by: tags?.[PAUSE_TAGS.by] ?? "an unknown caller",
    at: tags?.[PAUSE_TAGS.at] ?? "an unknown time",
  };
}

export function describePause(p: Pause): string {
  return `paused by ${p.by} at ${p.at}: ${p.reason}`;
}

/** What a refused plan and a stopped run say: "cluster demo is paused by <arn> at <time>: <reason>". */
export function pausedCluster(clusterName: string, p: Pause): string {
  return `cluster ${clusterName} is ${describePause(p)}`;
}

export async function readPause(eks: EKSClient, clusterName: string): Promise<Pause | undefined> {
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  return pauseOf(cluster?.tags);
}

/**
 * Tags the cluster as paused, naming the caller (STS GetCallerIdentity) and EKS's time. Pausing a
 * paused cluster records the new reason and caller.
 */
export async function pauseCluster(clients: Clients, clusterName: string, reason: string): Promise<Pause> {
  const problem = pauseReasonProblem(reason);
  if (problem) throw new Error(`the reason ${JSON.stringify(reason)}: ${problem}`);
  const [{ cluster }, caller] = await Promise.all([
    clients.eks.send(new DescribeClusterCommand({ name: clusterName })),
    clients.sts.send(new GetCallerIdentityCommand({})),
  ]);
  if (!cluster?.arn) throw new Error(`EKS answered DescribeCluster for ${clusterName} without an ARN`);
  const pause: Pause = {
    reason,
    by: caller.Arn ?? "an unknown caller",
    at: `${new Date(clients.clock.now()).toISOString().slice(0, 19)}Z`,
  };
  await clients.eks.send(
    new TagResourceCommand({
      resourceArn: cluster.arn,
      tags: { [PAUSE_TAGS.reason]: pause.reason, [PAUSE_TAGS.by]: pause.by, [PAUSE_TAGS.at]: pause.at },
    }),
  );
  return pause;
}

/** Removes the pause tags; returns the pause that was lifted (undefined: the cluster was not paused, nothing is called). */
export async function resumeCluster(clients: Clients, clusterName: string): Promise<Pause | undefined> {
  const { cluster } = await clients.eks.send(new DescribeClusterCommand({ name: clusterName }));
  const pause = pauseOf(cluster?.tags);
  if (!pause) return undefined;
  if (!cluster?.arn) throw new Error(`EKS answered DescribeCluster for ${clusterName} without an ARN`);
  await clients.eks.send(
    new UntagResourceCommand({ resourceArn: cluster.arn, tagKeys: Object.values(PAUSE_TAGS) }),
  );
  return pause;
}
