import { readdirSync, readFileSync } from "node:fs";

/*
 * Loaded into every test file's process (`--import` in the npm test scripts). With the runner's
 * --test-force-exit, a file's process ends once its tests have, even when a child it leaked (a
 * provider host a failed assertion never stopped) would keep it alive; on that exit every process
 * it started and that still runs is killed by PID, the deepest first. So a failure can neither
 * hang `npm test` nor leave servers behind; it says what it killed.
 */

/** The direct children of a process, from /proc (Linux, as on every machine this project runs on). */
function children(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // it ended while we looked
    }
  }
  return out;
}

function descendants(pid: number): number[] {
  return children(pid).flatMap((c) => [...descendants(c), c]);
}

process.on("exit", () => {
  if (process.platform !== "linux") return;
  const leftover = descendants(process.pid);
  for (const pid of leftover) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  if (leftover.length) {
    process.stderr.write(
      `test guard: killed ${leftover.length} process(es) ${process.argv[1] ?? "this test file"} left running: ${leftover.join(", ")}\n`,
    );
  }
});
