import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/** The Kubernetes minor the toolchain builds (tools/kubernetes): one EKS offers today. */
export const KUBERNETES_VERSION = "1.36.3";

const HOW_TO =
  "run `npm run kubernetes:install` (needs Go >= 1.26; about 12 minutes the first time) to build it";
const BINARIES = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "etcd", "kwok"];

/** Where `npm run kubernetes:install` puts the control plane; undefined until it is complete. */
export function kubernetesBinDir(): string | undefined {
  const cache =
    process.env.EKS_UPGRADE_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "eks-upgrade");
  const dir = join(cache, `kubernetes-${KUBERNETES_VERSION}`, "bin");
  return BINARIES.every((b) => existsSync(join(dir, b))) ? dir : undefined;
}

/**
 * Suites against a real control plane need the toolchain. In CI a missing one is a failure (CI
 * builds it first); on a developer's machine without it the suite is skipped with one line saying how.
 */
export function requireKubernetes(): { binDir: string } | { skip: string } {
  const binDir = kubernetesBinDir();
  if (binDir) return { binDir };
  if (process.env.CI === "true")
    throw new Error(`the Kubernetes v${KUBERNETES_VERSION} toolchain is missing in CI: ${HOW_TO}`);
  return { skip: `no Kubernetes v${KUBERNETES_VERSION} toolchain: ${HOW_TO}` };
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
