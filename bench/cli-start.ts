import { execFileSync } from "node:child_process";
import { join } from "node:path";
import Table from "cli-table3";

/**
 * bench/cli-start: what starting `eks-upgrade` costs before it does anything, side by side with a
 * bare `node` on the same machine: every command, every CI step and every test pays it. Measures
 * `eks-upgrade --version` (the whole CLI loaded, nothing asked of AWS) and `node -e 0`, the median
 * of RUNS each, interleaved so a noisy moment hits both. Run: npx tsx bench/cli-start.ts (after
 * npm run build).
 */
const RUNS = 15;
const BIN = join(__dirname, "..", "dist", "cli", "index.js");

function timed(args: string[]): number {
  const t0 = performance.now();
  execFileSync(process.execPath, args, { stdio: "ignore" });
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function main() {
  const cli: number[] = [];
  const bare: number[] = [];
  timed([BIN, "--version"]); // the file system's cache, warm for both
  for (let i = 0; i < RUNS; i++) {
    cli.push(timed([BIN, "--version"]));
    bare.push(timed(["-e", "0"]));
  }
  const ours = median(cli);
  const node = median(bare);
  const table = new Table({ head: ["command", `median of ${RUNS}`], style: { head: [], border: [] } });
  table.push(["eks-upgrade --version", `${ours.toFixed(0)} ms`], ["node -e 0", `${node.toFixed(0)} ms`]);
  console.log(`bench/cli-start: starting the CLI against starting Node.js\n\n${table.toString()}\n`);
  console.log(`cli_start.ms=${ours.toFixed(0)}`);
  console.log(`cli_start.node_ms=${node.toFixed(0)}`);
  console.log(`cli_start.ours_over_node=${(ours / node).toFixed(2)}`);
}

main();
