import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createClients,
  destroyClients,
  execute,
  inspect,
  parseSpec,
  type DesiredSpec,
} from "@eks-upgrade/engine";
import exampleSeed from "../examples/fleet/seed.json";
import { type Emulator, type SeedInput, startEmulator } from "../emulator/src/index";
import { runFleet, type StackRunner } from "../cli/fleet-run";
import { untilEksTime } from "../cli/soak";
import type { Fleet } from "../infra/fleet";
import { pointExampleFleet, pulumiBinDir } from "../cli/pulumi-project";
import { PulumiProject } from "../tests/support/pulumi";
import { criticalPathMs } from "./critical-path";

/**
 * bench/fleet-rollout: the local fleet runner's order (cli/fleet-run.ts, what `eks-upgrade fleet
 * up` runs) on 24 emulated clusters in 3 stages (4 / 8 / 12), maxParallel 4, a 1-hour soak after
 * each of the first two stages, every cluster to 1.36. Part 1 runs each stack with the engine in
 * this process and compares the fleet's simulated wall time with its critical path: stages in
 * order, each stage's clusters in maxParallel lanes (each taking the next cluster as a lane frees,
 * as the runner does) of their own critical paths (the emulator's timing model for their plans),
 * plus the soaks. Part 2 runs one stage of 4 stacks through `eks-upgrade fleet up` and the real
 * pulumi (Automation API) and samples the memory of every process it starts: the peak per
 * concurrent stack. Run: npx tsx bench/fleet-rollout.ts (part 2 needs npm run pulumi:install).
 */
const TIME_SCALE = 0.002;
const HOUR = 3_600_000;
const SOAK_HOURS = 1;
const STAGES = [
  { name: "dev", count: 4 },
  { name: "staging", count: 8 },
  { name: "prod", count: 12 },
];
const MAX_PARALLEL = 4;

type Cluster = NonNullable<SeedInput["clusters"]>[number];
const template = (exampleSeed as SeedInput).clusters ?? [];
/** 24 clusters shaped as the example fleet's, on 1.34 and 1.35 alternately. */
function seed(): SeedInput {
  const clusters: Cluster[] = STAGES.flatMap((st) =>
    Array.from({ length: st.count }, (_, i) => {
      const like = template.find((c) => c.version === (i % 2 ? "1.35" : "1.34")) ?? template[0];
      return { ...(like as Cluster), name: `${st.name}-${i + 1}` };
    }),
  );
  return { region: "us-east-1", timeScale: TIME_SCALE, startTime: "2026-12-06T00:00:00Z", clusters };
}

function fleet(): Fleet {
  return {
    file: "fleet.yaml",
    stages: STAGES.map((st, i) => ({
      name: st.name,
      stacks: [`${st.name}-*`],
      maxParallel: MAX_PARALLEL,
      maxFailures: 0,
      soakHours: i < STAGES.length - 1 ? SOAK_HOURS : 0,
      selected: Array.from({ length: st.count }, (_, j) => `${st.name}-${j + 1}`),
    })),
  };
}

const specOf = (emulator: Emulator, cluster: string): DesiredSpec =>
  parseSpec({
    clusterName: cluster,
    region: "us-east-1",
    endpoints: { eks: emulator.url, ssm: emulator.url },
    clusterVersion: "1.36",
  });

/** Greedy lanes in order: each cluster to the lane that frees first (the runner's order). */
function lanesMs(durations: number[], lanes: number): number {
  const free = Array.from({ length: lanes }, () => 0);
  for (const d of durations) {
    const i = free.indexOf(Math.min(...free));
    free[i] = (free[i] ?? 0) + d;
  }
  return Math.max(...free);
}

async function part1(): Promise<void> {
  const emulator = await startEmulator({ seed: seed(), port: 0 });
  try {
    const f = fleet();
    // Each cluster's own critical path, from its plan before anything moves.
    const critical = new Map<string, number>();
    for (const stack of f.stages.flatMap((s) => s.selected)) {
      const spec = specOf(emulator, stack);
      const clients = createClients(spec);
      const { plan } = await inspect(clients, spec);
      destroyClients(clients);
      critical.set(stack, criticalPathMs(plan, emulator, spec.upgrade.concurrency, stack));
    }
    const endedAt = new Map<string, number>();
    const runner: StackRunner = {
      async up(_stage, stack) {
        const spec = specOf(emulator, stack);
        const clients = createClients(spec);
        try {
          const { plan } = await inspect(clients, spec);
          await execute(clients, spec, plan, { timeScale: TIME_SCALE });
          endedAt.set(stack, emulator.world.clock.now());
          return { outcome: "succeeded" };
        } finally {
          destroyClients(clients);
        }
      },
      // As fleet up does (its untilEksTime), from the stage's last end as the bench saw it.
      async soak(_stage, stacks, hours, stop) {
        const until = Math.max(...stacks.map((s) => endedAt.get(s) ?? 0)) + hours * HOUR;
        await untilEksTime(specOf(emulator, stacks[0] ?? ""), until, stop);
        return { until: new Date(until).toISOString(), waitedSeconds: 0 };
      },
    };
    const start = emulator.world.clock.now();
    const result = await runFleet(f, runner, { stop: new AbortController().signal });
    const wall = emulator.world.clock.now() - start;
    if (result.outcome !== "succeeded") throw new Error(`the fleet ended ${result.outcome}`);
    const path = f.stages.reduce(
      (sum, s, i) =>
        sum +
        lanesMs(
          s.selected.map((x) => critical.get(x) ?? 0),
          s.maxParallel,
        ) +
        (i < f.stages.length - 1 ? s.soakHours * HOUR : 0),
      0,
    );
    const min = (ms: number) => (ms / 60_000).toFixed(1);
    console.log(
      `part 1: 24 clusters, 3 stages (4/8/12), maxParallel 4, ${SOAK_HOURS} h soaks, to 1.36 (engine in process, time scale ${TIME_SCALE})`,
    );
    console.log(`  wall time      ${min(wall)} simulated minutes`);
    console.log(`  critical path  ${min(path)} simulated minutes`);
    console.log(`  wall / critical path = ${(wall / path).toFixed(3)}  (target <= 1.05)`);
    console.log(`fleet.wall_over_critical_path=${(wall / path).toFixed(3)}`);
  } finally {
    await emulator.stop();
  }
}

/** The resident memory (kB) of each live process whose environment carries `marker`. */
function rssOf(project: PulumiProject): number {
  return project.processes().reduce((kb, pid) => {
    try {
      return kb + Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      return kb;
    }
  }, 0);
}

async function part2(): Promise<void> {
  const bin = pulumiBinDir();
  if (!bin) {
    console.log("part 2: skipped (no Pulumi CLI v3.248.0: npm run pulumi:install)");
    return;
  }
  const emulator = await startEmulator({
    seed: { ...(exampleSeed as SeedInput), timeScale: TIME_SCALE },
    port: 0,
  });
  const project = new PulumiProject(bin, { example: "examples/fleet" });
  try {
    const stacks = ["local-staging-1", "local-staging-2", "local-staging-3", "local-staging-4"];
    pointExampleFleet(project.dir, emulator.url, "1.36");
    for (const stack of stacks)
      execFileSync("pulumi", ["stack", "init", stack, "--non-interactive"], {
        cwd: project.dir,
        env: project.env,
        stdio: "ignore",
      });
    const fleetFile = join(project.dir, "fleet.yaml");
    writeFileSync(
      fleetFile,
      readFileSync(fleetFile, "utf8").replace(
        /maxParallel: 2\n(\s+maxFailures: 1\n\s+soakHours: 24)/,
        "maxParallel: 4\n$1",
      ),
    );
    const cli = join(__dirname, "..", "dist", "cli", "index.js");
    const child = spawn(process.execPath, [cli, "fleet", "up", "--stage", "staging", "--yes"], {
      cwd: project.dir,
      env: project.env,
      stdio: "ignore",
    });
    let peak = 0;
    let runnerAlone = Number.POSITIVE_INFINITY;
    const sampler = setInterval(() => {
      const kb = rssOf(project);
      peak = Math.max(peak, kb);
      // The runner before any stack started: its own share.
      if (kb > 0 && project.processes().length === 1) runnerAlone = Math.min(runnerAlone, kb);
    }, 100);
    const code = await new Promise<number | null>((r) => child.on("close", r));
    clearInterval(sampler);
    if (code !== 0) throw new Error(`fleet up exited ${code}`);
    const own = Number.isFinite(runnerAlone) ? runnerAlone : 0;
    console.log(
      "part 2: one stage of 4 stacks, maxParallel 4, through eks-upgrade fleet up and the real pulumi",
    );
    console.log(`  peak memory of every process it started  ${(peak / 1024).toFixed(0)} MiB`);
    console.log(`  the runner itself                        ${(own / 1024).toFixed(0)} MiB`);
    console.log(`  per concurrent stack                     ${((peak - own) / 4 / 1024).toFixed(0)} MiB`);
    console.log(`fleet.mib_per_concurrent_stack=${((peak - own) / 4 / 1024).toFixed(0)}`);
  } finally {
    project.dispose();
    await emulator.stop();
  }
}

part1()
  .then(part2)
  .catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
