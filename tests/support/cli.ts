import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./provider";

/** The built CLI (`npm run build`), as `npx eks-upgrade` runs it. */
export const BIN = join(ROOT, "dist", "cli", "index.js");

const exec = promisify(execFile);

/**
 * Runs the built `eks-upgrade` binary as users do, in `cwd` (the repository by default), without
 * colours; never throws: returns the exit code and both streams.
 */
export async function runCli(
  args: string[],
  { cwd = ROOT, env = {} }: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, ...env, NO_COLOR: "1" },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
