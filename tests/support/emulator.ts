import assert from "node:assert/strict";
import { DescribeUpdateCommand, EKSClient } from "@aws-sdk/client-eks";
import { SSMClient } from "@aws-sdk/client-ssm";
import { type Emulator, type SeedInput, startEmulator } from "../../emulator/src/index";

/** Credentials that look real to the SDK's signer; the emulator accepts any signature. */
export const DUMMY_CREDENTIALS = { accessKeyId: "AKIAEMULATOR00000000", secretAccessKey: "emulator-secret" };

export type ClusterInput = NonNullable<SeedInput["clusters"]>[number];

/** The three default add-ons at versions a 1.29 cluster typically runs before an upgrade. */
export const ADDONS_1_29 = {
  "vpc-cni": "v1.16.0-eksbuild.1",
  coredns: "v1.11.1-eksbuild.4",
  "kube-proxy": "v1.29.0-eksbuild.1",
};

/** Add-ons at their 1.35 defaults (the program's three; December 2026). */
export const ADDONS_1_35 = {
  "vpc-cni": "v1.22.3-eksbuild.1",
  coredns: "v1.14.3-eksbuild.3",
  "kube-proxy": "v1.35.3-eksbuild.17",
};

/** The cluster of the emulator issue's example seed: an outdated 1.29 with three kinds of node group. */
const DEMO_CLUSTER = {
  name: "demo",
  version: "1.29",
  status: "ACTIVE",
  addons: ADDONS_1_29,
  nodegroups: [
    {
      name: "general",
      amiType: "AL2023_x86_64_STANDARD",
      version: "1.29",
      releaseVersion: "1.29.0-20240213",
      desiredSize: 3,
      maxUnavailable: 1,
    },
    {
      name: "legacy",
      amiType: "AL2_x86_64",
      version: "1.29",
      releaseVersion: "1.29.0-20240129",
      desiredSize: 2,
    },
    {
      name: "custom",
      amiType: "CUSTOM",
      launchTemplate: { name: "custom-lt", version: "3" },
      desiredSize: 2,
    },
  ],
  insights: [
    { name: "Deprecated APIs removed in Kubernetes v1.30", kubernetesVersion: "1.30", status: "WARNING" },
  ],
} satisfies ClusterInput;

/**
 * The example seed of the emulator issue, with one change: its AL2023 node group ran
 * 1.29.0-20240129, an Amazon Linux 2 release; it runs the first AL2023 release for 1.29 instead
 * (the emulator refuses a release its catalog does not list).
 */
export const ISSUE_EXAMPLE_SEED = {
  region: "us-east-1",
  timeScale: 0.001,
  clusters: [DEMO_CLUSTER],
} satisfies SeedInput;

/** The issue's demo cluster, with some fields replaced. */
export function demoCluster(overrides: Partial<ClusterInput> = {}): ClusterInput {
  return {
    ...DEMO_CLUSTER,
    ...overrides,
    name: overrides.name ?? DEMO_CLUSTER.name,
    version: overrides.version ?? DEMO_CLUSTER.version,
  };
}

/**
 * The issue's seed at timeScale 1, for tests that step through time with `advanceClock` (real
 * time then barely moves the simulated clock between calls).
 */
export function demoSeed(overrides: Partial<SeedInput> = {}): SeedInput {
  return { ...ISSUE_EXAMPLE_SEED, timeScale: 1, ...overrides };
}

/** Resets the harness's emulator to this one cluster (at timeScale 1, like `demoSeed`). */
export function resetTo(h: Harness, cluster: ClusterInput, seed: Partial<SeedInput> = {}): void {
  h.emulator.reset(demoSeed({ ...seed, clusters: [cluster] }));
}

export interface Harness {
  emulator: Emulator;
  eks: EKSClient;
  ssm: SSMClient;
}

/** Starts an emulator and real SDK clients pointed at it. */
export async function startHarness(
  seed: SeedInput = demoSeed(),
  clientOptions: { maxAttempts?: number } = {},
): Promise<Harness> {
  const emulator = await startEmulator({ seed });
  const common = {
    region: emulator.region,
    endpoint: emulator.url,
    credentials: DUMMY_CREDENTIALS,
    ...clientOptions,
  };
  return { emulator, eks: new EKSClient(common), ssm: new SSMClient(common) };
}

export async function stopHarness(h: Harness | undefined): Promise<void> {
  if (!h) return;
  h.eks.destroy();
  h.ssm.destroy();
  await h.emulator.stop();
}

/** Asserts that a call fails with this EKS error type and exact message. */
export async function rejectsWith(
  call: Promise<unknown>,
  name: string,
  message?: string | RegExp,
): Promise<Error> {
  const err = await call.then(
    () => assert.fail(`expected ${name}, but the call succeeded`),
    (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
  );
  assert.equal(err.name, name, `expected ${name}, got ${err.name}: ${err.message}`);
  if (typeof message === "string") assert.equal(err.message, message);
  else if (message) assert.match(err.message, message);
  return err;
}

/** Polls DescribeUpdate until the update leaves InProgress (bounded: fails after `limitMs` real ms). */
export async function waitForUpdate(
  h: Harness,
  params: { name: string; updateId: string; nodegroupName?: string; addonName?: string },
  limitMs = 10_000,
) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const { update } = await h.eks.send(new DescribeUpdateCommand(params));
    if (update?.status !== "InProgress") return update;
    if (Date.now() > deadline) assert.fail(`update ${params.updateId} still InProgress after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The raw HTTP answer, for assertions on the wire itself (headers, numeric timestamps, nulls). */
export async function raw(h: Harness, path: string, init: RequestInit = {}) {
  const res = await fetch(`${h.emulator.url}${path}`, init);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

export const MINUTES = 60;
