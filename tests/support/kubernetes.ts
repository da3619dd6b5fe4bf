import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { promisify } from "node:util";
import {
  KUBERNETES_VERSION,
  kubernetesBinDir,
  TOOLCHAIN_HOW_TO,
} from "../../emulator/src/kubernetes/toolchain";

export { KUBERNETES_VERSION };

/**
 * docs/kubernetes-rbac.yaml as seed workloads: what a cluster admin applies for the tool. The
 * emulator's token webhook puts EKS-token callers in its group, so every test against a real API
 * server runs the engine with exactly these rights.
 */
export const RBAC: { apiVersion: string; kind: string; metadata: { name: string } }[] = parseAllDocuments(
  readFileSync(join(__dirname, "..", "..", "docs", "kubernetes-rbac.yaml"), "utf8"),
).map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string } });

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
