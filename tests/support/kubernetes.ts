import { optionalTool } from "./optional-tool";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { SeedInput } from "../../emulator/src/index";
import type { ClusterInput } from "./emulator";
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

type Manifest = Record<string, unknown>;

/** A Deployment of `app` (pods labelled app=<app>); `podSpec` adds to the pod template's spec. */
export function deployment(ns: string, app: string, replicas: number, podSpec: Manifest = {}): Manifest {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: app, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: { containers: [{ name: app, image: "public.ecr.aws/nginx/nginx:1.27" }], ...podSpec },
      },
    },
  };
}

/** A PodDisruptionBudget over the pods of `app`: `{ minAvailable }` or `{ maxUnavailable }`. */
export function budget(ns: string, app: string, spec: Manifest): Manifest {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: app, namespace: ns },
    spec: { selector: { matchLabels: { app } }, ...spec },
  };
}

type NodegroupInput = NonNullable<ClusterInput["nodegroups"]>[number];

/**
 * The Kubernetes suites' seed: cluster `prod` at 1.35 with node group `general` a minor behind
 * (two nodes, one at a time), the RBAC the tool needs, and the test's workloads.
 */
export function kubernetesSeed(
  workloads: Manifest[],
  options: { nodegroup?: Partial<NodegroupInput>; cluster?: Partial<ClusterInput>; timeScale?: number } = {},
): SeedInput {
  return {
    kubernetes: true,
    timeScale: options.timeScale ?? 0.001,
    clusters: [
      {
        name: "prod",
        version: "1.35",
        nodegroups: [
          {
            name: "general",
            version: "1.34",
            releaseVersion: "1.34.9-20260714",
            desiredSize: 2,
            maxUnavailable: 1,
            ...options.nodegroup,
          },
        ],
        ...options.cluster,
        workloads: [...RBAC, ...workloads] as NonNullable<ClusterInput["workloads"]>,
      },
    ],
  };
}

/** Suites against a real control plane need the toolchain (see optional-tool.ts: never a silent skip). */
export function requireKubernetes(): { binDir: string } | { skip: string } {
  const r = optionalTool(
    "kubernetes",
    kubernetesBinDir(),
    `no Kubernetes v${KUBERNETES_VERSION} toolchain: ${TOOLCHAIN_HOW_TO}`,
  );
  return "value" in r ? { binDir: r.value } : r;
}

const exec = promisify(execFile);

/**
 * Runs kubectl; a call that fails throws with its stderr, so no test reads the output of a failed
 * call as an answer. Calls that are meant to be refused go through kubectlMayFail.
 */
export async function kubectl(
  binDir: string,
  kubeconfig: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await kubectlMayFail(binDir, kubeconfig, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r;
}

/** Runs kubectl and returns its exit code, for the calls a test expects to be refused. */
export async function kubectlMayFail(
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
