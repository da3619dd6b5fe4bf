import { createClients, destroyClients, inspect, inspectForApply } from "@eks-upgrade/engine";
import pc from "picocolors";
import { startEmulator } from "../emulator/src/index";
import { join } from "node:path";
import demoSeed from "../emulator/seeds/demo.json";
import { applyPlan } from "./apply";
import { flagKey } from "./keys";
import { parse } from "./options";
import { renderPlan } from "./render";
import { gatherStatus, renderStatus } from "./status";
import { packageRoot } from "./version";

/** Simulated time runs 200x faster: the hour-long demo upgrade takes about 20 seconds. */
export const DEMO_TIME_SCALE = 0.005;

/** The demo's target: a minor in standard support in December 2026. */
export const DEMO_TARGET = "1.35";

/**
 * The newcomer's tour, with no AWS account: an embedded emulator with a cluster as many run today
 * (1.33, in extended support since July 2026, add-ons behind, an AL2023, a Bottlerocket and a
 * canary node group), its status, the plan to 1.35 (in standard support), the upgrade with live
 * progress, and the status after.
 */
export async function runDemo(
  write: (s: string) => void,
  tty: boolean,
  timeScale = DEMO_TIME_SCALE,
  options: { kubernetes?: boolean } = {},
): Promise<void> {
  // The emulator accepts any signature; the SDK still wants credentials to sign with.
  process.env.AWS_ACCESS_KEY_ID ??= "demo";
  process.env.AWS_SECRET_ACCESS_KEY ??= "demo";
  const seed = options.kubernetes ? kubernetesSeed() : demoSeed;
  if (options.kubernetes)
    write("starting a Kubernetes v1.36 control plane behind the cluster (a few seconds)...\n");
  const emulator = await startEmulator({ seed: seed as never, timeScale });
  const cluster = { cluster: "demo", region: emulator.region, endpoint: emulator.url };
  const spec = parse({
    clusterName: "demo",
    region: emulator.region,
    endpoints: { eks: emulator.url, ssm: emulator.url },
    clusterVersion: DEMO_TARGET,
    nodeGroups: { canary: { canary: true } },
  });
  const clients = createClients(spec);
  try {
    write(
      pc.bold(
        `eks-upgrade demo — an EKS emulator at ${emulator.url}, simulated time ${Math.round(1 / timeScale)}x faster\n`,
      ),
    );
    write(renderStatus(await gatherStatus(clients, cluster)));
    const kubeconfig = await emulator.kubeconfig("demo");
    if (kubeconfig)
      write(`\nwatch the nodes roll meanwhile: kubectl --kubeconfig ${kubeconfig} get nodes --watch\n`);
    write(pc.bold(`\n$ eks-upgrade plan --cluster demo --cluster-version ${DEMO_TARGET} --canary canary\n`));
    const inspection = await inspect(clients, spec);
    write(renderPlan(inspection.plan, "table", { concurrency: spec.upgrade.concurrency, keys: flagKey }));
    write(
      pc.bold(
        `\n$ eks-upgrade apply --cluster demo --cluster-version ${DEMO_TARGET} --canary canary --yes\n`,
      ),
    );
    const fresh = await inspectForApply(clients, spec, undefined, { timeScale, log: write });
    await applyPlan(clients, spec, fresh, { keys: flagKey, yes: true, tty, timeScale, write });
    write(pc.bold("\n$ eks-upgrade status --cluster demo\n"));
    write(renderStatus(await gatherStatus(clients, cluster)));
  } finally {
    destroyClients(clients);
    await emulator.stop();
  }
}

/**
 * The demo's cluster backed by a real API server (emulator/seeds/demo-kubernetes.json, what
 * `npm run emulator` serves too): docs/kubernetes-rbac.yaml applied (what a cluster admin does for
 * the tool), a storefront spread over the general node group under a budget that allows one
 * disruption, and a DaemonSet on every node.
 */
function kubernetesSeed(): string {
  const root = packageRoot();
  if (!root) throw new Error("cannot find this checkout's root (emulator/seeds/demo-kubernetes.json)");
  return join(root, "emulator", "seeds", "demo-kubernetes.json");
}
