import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";

const root = join(__dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");

function run(args: string[]) {
  return spawn(tsx, [join(root, "emulator", "src", "cli.ts"), ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

describe("npm run emulator", () => {
  it("prints the endpoint URL, serves the seed, and stops on SIGTERM", async () => {
    const child = run(["--seed", "emulator/seeds/demo.json", "--port", "0", "--time-scale", "0.001"]);
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, "line")) as [string];
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(first)?.[1];
      assert.ok(url, first);
      const state = (await (await fetch(`${url}/_emulator/state`)).json()) as {
        clusters: { name: string; version: string }[];
      };
      assert.deepEqual(
        state.clusters.map((c) => [c.name, c.version]),
        [["demo", "1.33"]],
      );
    } finally {
      child.kill("SIGTERM");
      const [code] = await once(child, "exit");
      assert.equal(code, 0);
    }
  });

  it("stops cleanly (exit 0) on a signal to its whole process group: Ctrl-C, SIGTERM, a closed terminal's SIGHUP", async () => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      // node itself (not tsx, which dies of SIGHUP), as the leader of its own group.
      const child = spawn(
        process.execPath,
        ["--import", "tsx", join(root, "emulator", "src", "cli.ts"), "--port", "0"],
        {
          cwd: root,
          detached: true,
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const lines = createInterface({ input: child.stdout });
      await once(lines, "line");
      process.kill(-(child.pid as number), signal);
      const [code, killedBy] = (await once(child, "exit")) as [number | null, string | null];
      assert.deepEqual([code, killedBy], [0, null], `${signal}: handled, not killed by it`);
    }
  });

  it("refuses a bad option or seed with exit code 2 and the reason", async () => {
    for (const [args, message] of [
      [["--time-scale", "0"], /--time-scale: expected a number > 0, got 0/],
      [["--seed", "does-not-exist.json"], /cannot read seed does-not-exist\.json/],
    ] as const) {
      const child = run([...args, "--port", "0"]);
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
      });
      const [code] = await once(child, "exit");
      assert.equal(code, 2);
      assert.match(stderr, message);
    }
  });
});
