import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";

/** The outputs the program exports (infra/program.ts stackOutputs) that the CLI reads. */
export interface StackOutputs {
  controlPlaneVersion?: unknown;
  upgradedAt?: unknown;
  addonVersions?: unknown;
  nodeGroupReleases?: unknown;
}

type Read = { outputs: StackOutputs } | { error: string };

/**
 * A stack's outputs as `pulumi stack output --json` gives them: the same backend and login the
 * program uses. Returns why they could not be read instead of throwing. Blocking (the promotion
 * gate is read while the spec is made); fleet status reads many at once with the async one.
 */
export function readStackOutputs(stack: string): Read {
  try {
    return parsed(
      execFileSync("pulumi", args(stack), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
    );
  } catch (e) {
    return failed(e);
  }
}

export async function readStackOutputsAsync(stack: string): Promise<Read> {
  try {
    return parsed((await promisify(execFile)("pulumi", args(stack), { encoding: "utf8" })).stdout);
  } catch (e) {
    return failed(e);
  }
}

const args = (stack: string) => ["stack", "output", "--json", "--stack", stack];
const parsed = (text: string): Read => ({ outputs: JSON.parse(text) as StackOutputs });

function failed(e: unknown): Read {
  const err = e as NodeJS.ErrnoException & { stderr?: string };
  return {
    error: err.code === "ENOENT" ? "the pulumi CLI is not on PATH" : (err.stderr ?? err.message).trim(),
  };
}
