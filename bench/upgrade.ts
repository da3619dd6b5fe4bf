import { EKSClient } from "@aws-sdk/client-eks";
import { createClients, destroyClients, execute, inspect, type ProgressEvent } from "@eks-upgrade/engine";
import Table from "cli-table3";
import { type AuditEntry, type Emulator, startEmulator } from "../emulator/src/index";
import { sequentialBaseline } from "./baseline";
import { criticalPathMs } from "./critical-path";
import { emulatorSpec, referenceFleet } from "./fleet";

/**
 * bench/upgrade: the reference fleet from 1.29 to 1.32, in one process against the emulator at a
 * fixed time scale: our engine with defaults, our engine with node-group concurrency 2, and the
 * sequential baseline; each against the critical path of our plan. Simulated minutes throughout.
 */
const TIME_SCALE = 0.002; // 1 real second = 8.3 simulated minutes; the three runs take about a minute
const MIN = 60_000;

interface Run {
  name: string;
  simMs: number;
  criticalMs?: number;
  calls: AuditEntry[];
  perStep?: { id: string; simMin: number; polls: number }[];
}

async function ours(emulator: Emulator, concurrency: number): Promise<Run> {
  emulator.reset();
  const spec = emulatorSpec(emulator, "fleet", { upgrade: { concurrency } });
  const clients = createClients(spec);
  try {
    const { plan } = await inspect(clients, spec);
    if (plan.violations.length) throw new Error(plan.violations.map((v) => v.message).join("; "));
    const since = emulator.audit().at(-1)?.seq ?? 0;
    const started = emulator.world.clock.now();
    const events: ProgressEvent[] = [];
    await execute(clients, spec, plan, { timeScale: TIME_SCALE, onEvent: (e) => events.push(e) });
    const simMs = emulator.world.clock.now() - started;
    const calls = emulator.audit(since);
    const perStep = events.flatMap((e) =>
      e.type === "stepFinished"
        ? [
            {
              id: e.step.id,
              simMin: e.durationMs / TIME_SCALE / MIN,
              polls: calls.filter((c) => c.operation === "DescribeUpdate" && c.updateId === e.updateId)
                .length,
            },
          ]
        : [],
    );
    return {
      name: `ours, node group concurrency ${concurrency}`,
      simMs,
      criticalMs: criticalPathMs(plan, emulator, concurrency),
      calls,
      perStep,
    };
  } finally {
    destroyClients(clients);
  }
}

async function baseline(emulator: Emulator): Promise<Run> {
  emulator.reset();
  const spec = emulatorSpec(emulator, "fleet");
  const clients = createClients(spec);
  const { plan } = await inspect(clients, spec);
  destroyClients(clients);
  emulator.reset();
  const eks = new EKSClient({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
  const started = emulator.world.clock.now();
  const nodegroups = emulator.state().clusters[0]?.nodegroups.map((n) => n.name) ?? [];
  await sequentialBaseline(eks, "fleet", plan, nodegroups, TIME_SCALE);
  eks.destroy();
  return {
    name: "sequential baseline (guides, eksctl)",
    simMs: emulator.world.clock.now() - started,
    calls: emulator.audit(),
  };
}

async function main() {
  const emulator = await startEmulator({ seed: referenceFleet(TIME_SCALE) });
  try {
    const runs = [await ours(emulator, 1), await ours(emulator, 2), await baseline(emulator)];
    const [one, two, base] = runs as [Run, Run, Run];
    const table = new Table({
      head: ["run", "simulated min", "critical path min", "ours / critical", "mutating calls", "read calls"],
      style: { head: [], border: [] },
    });
    for (const r of runs) {
      table.push([
        r.name,
        (r.simMs / MIN).toFixed(1),
        r.criticalMs ? (r.criticalMs / MIN).toFixed(1) : "-",
        r.criticalMs ? (r.simMs / r.criticalMs).toFixed(3) : "-",
        r.calls.filter((c) => c.mutating).length,
        r.calls.filter((c) => !c.mutating).length,
      ]);
    }
    console.log(
      "bench/upgrade: reference fleet 1.29 -> 1.32 (5 add-ons, 8 node groups of 2-20 nodes), simulated time\n",
    );
    console.log(table.toString());
    const steps = new Table({
      head: ["step (ours, concurrency 1)", "simulated min", "DescribeUpdate polls"],
      style: { head: [], border: [] },
    });
    for (const s of one.perStep ?? []) steps.push([s.id, s.simMin.toFixed(2), s.polls]);
    console.log(`\n${steps.toString()}\n`);
    const figures: Record<string, number> = {
      "upgrade.ours_minutes": one.simMs / MIN,
      "upgrade.critical_path_minutes": (one.criticalMs ?? 0) / MIN,
      "upgrade.ours_over_critical_path": one.simMs / (one.criticalMs ?? 1),
      "upgrade.ours_over_baseline": one.simMs / base.simMs,
      "upgrade.concurrency2_over_critical_path": two.simMs / (two.criticalMs ?? 1),
      "upgrade.concurrency2_over_baseline": two.simMs / base.simMs,
      "upgrade.baseline_minutes": base.simMs / MIN,
      "upgrade.ours_mutating_calls": one.calls.filter((c) => c.mutating).length,
      "upgrade.ours_read_calls": one.calls.filter((c) => !c.mutating).length,
      "upgrade.baseline_read_calls": base.calls.filter((c) => !c.mutating).length,
    };
    for (const [k, v] of Object.entries(figures))
      console.log(`${k}=${Number.isInteger(v) ? v : v.toFixed(3)}`);
  } finally {
    await emulator.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
