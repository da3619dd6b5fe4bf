import { createClients, destroyClients, inspect } from "@eks-upgrade/engine";
import Table from "cli-table3";
import { startEmulator } from "../emulator/src/index";
import { releaseParameter } from "../providers/engine/src/ami";
import { emulatorSpec, previewFleet } from "./fleet";

/**
 * bench/preview: what `pulumi preview` costs on a cluster with 50 node groups and 10 add-ons,
 * 1.29 -> 1.32: the API calls of observe + resolve + plan against the fewest the information
 * needs, and the wall time, best of a few runs.
 */
const RUNS = 5;

async function main() {
  const emulator = await startEmulator({ seed: previewFleet() });
  const spec = emulatorSpec(emulator, "big");
  const clients = createClients(spec);
  try {
    const times: number[] = [];
    let counts = new Map<string, number>();
    let steps = 0;
    for (let i = 0; i < RUNS; i++) {
      emulator.clearAudit();
      const t0 = performance.now();
      const { plan } = await inspect(clients, spec);
      times.push(performance.now() - t0);
      steps = plan.steps.length;
      if (plan.violations.length) throw new Error(plan.violations.map((v) => v.message).join("; "));
      counts = new Map();
      for (const e of emulator.audit()) counts.set(e.operation, (counts.get(e.operation) ?? 0) + 1);
    }
    const state = emulator.state().clusters[0];
    const nodegroups = state?.nodegroups ?? [];
    const ssmNames = new Set(nodegroups.map((n) => releaseParameter(n.amiType, "1.32")?.name));
    const minimum: Record<string, number> = {
      DescribeCluster: 1,
      ListNodegroups: Math.ceil(nodegroups.length / 100),
      DescribeNodegroup: nodegroups.length,
      ListAddons: 1,
      DescribeAddon: state?.addons.length ?? 0,
      DescribeAddonVersions: 3, // 1.30, 1.31, 1.32
      GetParameters: Math.ceil(ssmNames.size / 10),
      ListInsights: 1,
    };
    const ops = [...new Set([...Object.keys(minimum), ...counts.keys()])];
    const table = new Table({ head: ["operation", "calls", "minimum"], style: { head: [], border: [] } });
    for (const op of ops) table.push([op, counts.get(op) ?? 0, minimum[op] ?? 0]);
    const calls = [...counts.values()].reduce((a, b) => a + b, 0);
    const min = Object.values(minimum).reduce((a, b) => a + b, 0);
    table.push(["total", calls, min]);
    console.log(
      `bench/preview: ${nodegroups.length} node groups, ${state?.addons.length} add-ons, 1.29 -> 1.32 (${steps} steps planned)\n`,
    );
    console.log(table.toString());
    const best = Math.min(...times);
    console.log(
      `\nwall time of observe + resolve + plan: best ${best.toFixed(0)} ms of ${RUNS} runs (${times.map((t) => t.toFixed(0)).join(", ")})\n`,
    );
    console.log(`preview.calls=${calls}`);
    console.log(`preview.minimum_calls=${min}`);
    console.log(`preview.calls_over_minimum=${(calls / min).toFixed(3)}`);
    console.log(`preview.wall_ms=${best.toFixed(0)}`);
  } finally {
    destroyClients(clients);
    await emulator.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
