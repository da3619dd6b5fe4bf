import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The Kubernetes release the toolchain builds (tools/kubernetes): one EKS offers today. */
export const KUBERNETES_VERSION = "1.36.3";

export const TOOLCHAIN_HOW_TO =
  "run `npm run kubernetes:install` (needs Go >= 1.26; about 12 minutes the first time) to build it";

const BINARIES = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "etcd", "kwok"];

/** Where `npm run kubernetes:install` puts the control plane's binaries; undefined until all are there. */
export function kubernetesBinDir(): string | undefined {
  const cache =
    process.env.EKS_UPGRADE_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "eks-upgrade");
  const dir = join(cache, `kubernetes-${KUBERNETES_VERSION}`, "bin");
  return BINARIES.every((b) => existsSync(join(dir, b))) ? dir : undefined;
}
