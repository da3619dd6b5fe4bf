import type { AuditEntry, Emulator, SeedInput } from "../../emulator/src/index";
import { startEmulator } from "../../emulator/src/index";
import {
  type Clients,
  createClients,
  type DesiredSpec,
  type DesiredSpecInput,
  destroyClients,
  parseSpec,
  type ProgressEvent,
} from "../../providers/engine/src/index";
import { ADDONS_1_29, type ClusterInput, DUMMY_CREDENTIALS } from "./emulator";

/** Emulator and engine share one time scale: 10 simulated minutes take 60 real ms. */
export const TIME_SCALE = 0.0001;

export interface EngineHarness {
  emulator: Emulator;
  clients: Clients;
  spec(overrides?: Partial<DesiredSpecInput>): DesiredSpec;
  mutating(): AuditEntry[];
  stop(): Promise<void>;
}

export async function engineHarness(
  seed: SeedInput,
  clientOptions: { maxAttempts?: number } = {},
  timeScale = TIME_SCALE,
): Promise<EngineHarness> {
  const emulator = await startEmulator({ seed: { ...seed, timeScale } });
  const endpoints = { eks: emulator.url, ssm: emulator.url };
  const clients = createClients(
    { region: emulator.region, endpoints },
    { credentials: DUMMY_CREDENTIALS, ...clientOptions },
  );
  return {
    emulator,
    clients,
    spec: (overrides = {}) =>
      parseSpec({
        clusterName: "demo",
        region: emulator.region,
        endpoints,
        clusterVersion: "1.32",
        ...overrides,
      }),
    mutating: () => emulator.audit().filter((e) => e.mutating),
    stop: async () => {
      destroyClients(clients);
      await emulator.stop();
    },
  };
}

/** The fleet's first node group: AL2023 x86 at a pinned 1.29 release, three nodes. */
export const GENERAL_1_29: NonNullable<ClusterInput["nodegroups"]>[number] = {
  name: "general",
  amiType: "AL2023_x86_64_STANDARD",
  version: "1.29",
  releaseVersion: "1.29.0-20240213",
  desiredSize: 3,
};

/** A 1.29 cluster with three add-ons and three 1.29 node groups of different AMI families. */
export function fleetSeed(overrides: Partial<ClusterInput> = {}): SeedInput {
  return {
    clusters: [
      {
        name: "demo",
        version: "1.29",
        addons: ADDONS_1_29,
        nodegroups: [
          GENERAL_1_29,
          { name: "arm", amiType: "AL2023_ARM_64_STANDARD", version: "1.29", desiredSize: 2 },
          { name: "bottlerocket", amiType: "BOTTLEROCKET_x86_64", version: "1.29", desiredSize: 2 },
        ],
        ...overrides,
      },
    ],
  };
}

/** "controlPlane 1.30", "addon vpc-cni v1.17.1-eksbuild.1", "nodegroup general 1.32": the mutating calls, readable. */
export function callSummary(entries: AuditEntry[]): string[] {
  return entries.map((e) => {
    const p = (e.params ?? {}) as Record<string, unknown>;
    if (e.operation === "UpdateClusterVersion") return `controlPlane ${p.version}`;
    if (e.operation === "UpdateAddon") return `addon ${e.addon} ${p.addonVersion}`;
    if (e.operation === "UpdateNodegroupConfig") return `nodegroupConfig ${e.nodegroup}`;
    if (e.operation === "TagResource") return `tag ${e.cluster} ${Object.keys(p.tags ?? {}).join(",")}`;
    if (e.operation === "UntagResource") return `untag ${e.cluster} ${(p.tagKeys as string[]).join(",")}`;
    const lt = p.launchTemplate as { version?: string } | undefined;
    return `nodegroup ${e.nodegroup} ${lt ? `lt${lt.version}` : (p.version ?? "")}`;
  });
}

/**
 * For a run that meets an update held by a paused emulator clock (one a test interrupted, or one
 * started elsewhere): lets the clock go on once the run awaits that update.
 */
export const resumeClockWhenAwaited =
  (emulator: Emulator) =>
  (e: ProgressEvent): void => {
    if (e.type === "stepStarted" && e.resumed) emulator.resumeClock();
  };
