import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  KUBERNETES_VERSION,
  kubernetesBinDir,
  TOOLCHAIN_HOW_TO,
} from "../../emulator/src/kubernetes/toolchain";

export { KUBERNETES_VERSION };

/**
 * Suites against a real control plane need the toolchain. In CI a missing one is a failure (CI
 * builds it first); on a developer's machine without it the suite is skipped with one line saying how.
 */
export function requireKubernetes(): { binDir: string } | { skip: string } {
  const binDir = kubernetesBinDir();
  if (binDir) return { binDir };
  if (process.env.CI === "true")
    throw new Error(`the Kubernetes v${KUBERNETES_VERSION} toolchain is missing in CI: ${TOOLCHAIN_HOW_TO}`);
  return { skip: `no Kubernetes v${KUBERNETES_VERSION} toolchain: ${TOOLCHAIN_HOW_TO}` };
}

const exec = promisify(execFile);

/** Runs the toolchain's kubectl against a kubeconfig; `input` goes to its stdin. Never throws. */
export async function kubectl(
  binDir: string,
  kubeconfig: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = exec(join(binDir, "kubectl"), ["--kubeconfig", kubeconfig, ...args]);
  if (input !== undefined) {
    run.child.stdin?.end(input);
  }
  try {
    const { stdout, stderr } = await run;
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === "number" ? err.code : 1,
      stdout: err.stdout ?? "",
      stderr: err.stderr ?? "",
    };
  }
}
