import { parseArgs } from "node:util";
import { type Emulator, startEmulator } from "./server";

/** `npm run emulator -- --seed <file> [--port N] [--time-scale X]`: serves until interrupted. */
const USAGE = `usage: npm run emulator -- [--seed <file>] [--port <n>] [--time-scale <x>]

  --seed <file>       seed JSON (format: emulator/README.md); default emulator/seeds/demo.json
  --port <n>          port on 127.0.0.1 (default 4599; 0 picks a free one)
  --time-scale <x>    real time per simulated time (0.01 = 100x faster); overrides the seed`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: "string", default: "emulator/seeds/demo.json" },
      port: { type: "string", default: "4599" },
      "time-scale": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: expected 0-65535, got ${values.port}`);
  const scale = values["time-scale"];
  const timeScale = scale === undefined ? undefined : Number(scale);
  if (timeScale !== undefined && !(timeScale > 0))
    throw new Error(`--time-scale: expected a number > 0, got ${scale}`);
  // Ctrl-C signals the whole process group (npm, tsx, this process, the control planes), npm
  // passes SIGTERM on, a closed terminal sends SIGHUP: whichever comes first stops everything in
  // order and removes the control planes' folders; the ones after it wait for that. Listened to
  // from the start: a signal while the control planes start stops them once they are up.
  const started: { emulator?: Emulator } = {};
  let stopping: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    // (Nothing written after SIGHUP: the terminal is gone, and writing to it fails.)
    if (!stopping && signal !== "SIGHUP") console.log(`${signal}: stopping...`);
    stopping ??= signal;
    started.emulator?.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        if (signal !== "SIGHUP") console.error(`emulator: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stop);

  const emulator = await startEmulator({ seed: values.seed, port, ...(timeScale ? { timeScale } : {}) });
  started.emulator = emulator;
  if (stopping) return stop(stopping);
  const clusters = emulator.state().clusters.map((c) => `${c.name} (${c.version})`);
  console.log(`EKS + SSM emulator listening on ${emulator.url}`);
  console.log(
    `  region ${emulator.region}, time scale ${emulator.world.seed.timeScale}, clusters: ${clusters.join(", ") || "none"}`,
  );
  console.log(
    `  try: aws eks describe-cluster --name ${emulator.state().clusters[0]?.name ?? "<name>"} --endpoint-url ${emulator.url} --region ${emulator.region}`,
  );
  for (const c of emulator.state().clusters) {
    const kubeconfig = await emulator.kubeconfig(c.name);
    if (kubeconfig)
      console.log(`  ${c.name}'s API server: kubectl --kubeconfig ${kubeconfig} get nodes --watch`);
  }
  console.log(`  admin API: ${emulator.url}/_emulator/state   (Ctrl-C stops)`);
}

main().catch((e: unknown) => {
  console.error(`emulator: ${(e as Error).message}`);
  process.exit(2);
});
