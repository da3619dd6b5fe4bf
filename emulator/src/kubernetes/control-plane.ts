import { type ChildProcess, execFile, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * A real Kubernetes control plane on loopback, built by `npm run kubernetes:install`: etcd, the
 * API server, the controller manager (its disruption controller decides evictions by
 * PodDisruptionBudget), the scheduler, and kwok, which makes Nodes Ready and Pods Running without
 * kubelets. It starts in a few seconds and stops by PID, etcd last. Nothing listens beyond
 * 127.0.0.1.
 */
export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  url: string;
  /** A kubeconfig with the admin token, for kubectl and clients. */
  kubeconfig: string;
  /** The API server's serving certificate (self-signed): what DescribeCluster's CA will carry. */
  caPem: string;
  token: string;
  /** The API server's audit log (requests of `auditGroups`), read before stop removes the directory. */
  auditLog: string;
  /** The PIDs of every process, API server first, etcd last. */
  pids(): number[];
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** The directory of the toolchain's binaries (the kubernetes:install output). */
  binDir: string;
  /** Where logs and data go; a fresh temporary directory when absent (removed on stop). */
  dir?: string;
  /** How long to wait for the API server to be ready. */
  readyTimeoutMs?: number;
  /**
   * A token webhook (TokenReview, authentication.k8s.io/v1) the API server asks about bearer
   * tokens it does not know: how EKS's API server checks `k8s-aws-v1.` tokens. http on loopback.
   */
  tokenWebhookUrl?: string;
  /** Users in these groups have each request written to `auditLog` (JSON lines, metadata only). */
  auditGroups?: string[];
}

const exec = promisify(execFile);

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const own = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "eks-upgrade-k8s-"));
  mkdirSync(join(dir, "certs"), { recursive: true });
  const bin = (name: string) => join(options.binDir, name);
  const [etcdClient, etcdPeer, apiPort] = await freePorts(3);
  const token = randomBytes(24).toString("hex");
  writeFileSync(join(dir, "tokens.csv"), `${token},admin,admin,system:masters\n`, { mode: 0o600 });
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(join(dir, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(join(dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));

  const children: ChildProcess[] = [];
  const start = (name: string, args: string[]) => {
    const log = openSync(join(dir, `${name}.log`), "a");
    const child = spawn(bin(name), args, { stdio: ["ignore", log, log] });
    children.push(child);
    return child;
  };
  const stop = async () => {
    // Everything but etcd first, then etcd: the API server must not outlive its store.
    const order = [...children].reverse();
    for (const child of order) await terminate(child);
    if (own) rmSync(dir, { recursive: true, force: true });
  };

  try {
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    start("etcd", [
      "--name=default",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      "--log-level=warn",
    ]);
    start("kube-apiserver", [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, "certs")}`,
      `--token-auth-file=${join(dir, "tokens.csv")}`,
      "--authorization-mode=Node,RBAC",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${join(dir, "sa.pub")}`,
      `--service-account-signing-key-file=${join(dir, "sa.key")}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      // On loopback there is no Service endpoint to reconcile for the API server itself.
      "--endpoint-reconciler-type=none",
      ...(options.tokenWebhookUrl ? webhookFlags(dir, options.tokenWebhookUrl) : []),
      ...auditFlags(dir, options.auditGroups ?? []),
    ]);
    const url = `https://127.0.0.1:${apiPort}`;
    const timeout = options.readyTimeoutMs ?? 30_000;
    // The API server signs its serving certificate for 127.0.0.1 at start: clients verify against it.
    const caPem = await waitFor(timeout, "the API server's certificate", () => {
      const file = join(dir, "certs", "apiserver.crt");
      return existsSync(file) ? readFileSync(file, "utf8") : undefined;
    });
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, kubeconfigFor(url, token, caPem), { mode: 0o600 });
    await waitReady(bin("kubectl"), kubeconfig, timeout);
    start("kube-controller-manager", [
      `--kubeconfig=${kubeconfig}`,
      `--service-account-private-key-file=${join(dir, "sa.key")}`,
      "--use-service-account-credentials=false",
      "--controllers=*",
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      "--secure-port=0",
    ]);
    start("kube-scheduler", [
      `--kubeconfig=${kubeconfig}`,
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      "--secure-port=0",
    ]);
    start("kwok", [
      `--kubeconfig=${kubeconfig}`,
      "--manage-all-nodes=true",
      // Each node's Lease renewed, as a kubelet does: without it the node controller takes the
      // nodes for dead after its grace period (40 s) and marks every pod on them not Ready.
      "--node-lease-duration-seconds=40",
      ...["node-initialize", "node-heartbeat-with-lease", "pod-ready", "pod-complete", "pod-delete"].map(
        (s) => `--config=${join(options.binDir, "kwok-stages", `${s}.yaml`)}`,
      ),
    ]);
    return {
      url,
      kubeconfig,
      caPem,
      token,
      auditLog: join(dir, "audit.log"),
      pids: () => children.map((c) => c.pid ?? 0).reverse(),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Polls /readyz through kubectl until the API server answers ok. */
async function waitReady(kubectl: string, kubeconfig: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const { stdout } = await exec(kubectl, ["--kubeconfig", kubeconfig, "get", "--raw", "/readyz"]);
      if (stdout.trim() === "ok") return;
      last = stdout;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the API server was not ready within ${timeoutMs} ms: ${last}`);
}

async function waitFor<T>(timeoutMs: number, what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function auditFlags(dir: string, groups: string[]): string[] {
  const file = join(dir, "audit-policy.yaml");
  const rules = groups.length
    ? `- level: Metadata\n  userGroups: [${groups.map((g) => JSON.stringify(g)).join(", ")}]\n`
    : "";
  writeFileSync(
    file,
    `apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: ["RequestReceived"]\nrules:\n${rules}- level: None\n`,
  );
  return [`--audit-policy-file=${file}`, `--audit-log-path=${join(dir, "audit.log")}`];
}

function webhookFlags(dir: string, url: string): string[] {
  const file = join(dir, "token-webhook.kubeconfig");
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
- name: authenticator
  cluster: { server: "${url}" }
users:
- name: apiserver
  user: {}
contexts:
- name: webhook
  context: { cluster: authenticator, user: apiserver }
current-context: webhook
`,
  );
  return [
    `--authentication-token-webhook-config-file=${file}`,
    "--authentication-token-webhook-version=v1",
    // Short, so that a test sees a refused token refused (EKS caches answers too).
    "--authentication-token-webhook-cache-ttl=10s",
  ];
}

function kubeconfigFor(url: string, token: string, caPem: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: ${url}
    certificate-authority-data: ${Buffer.from(caPem).toString("base64")}
users:
- name: admin
  user:
    token: ${token}
contexts:
- name: local
  context: { cluster: local, user: admin }
current-context: local
`;
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** Free TCP ports on 127.0.0.1 (bound, then released for the process that takes them). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
