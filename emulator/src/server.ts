import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AuditEntry } from "./audit";
import { buildSeed, type EmulatorOptions, World } from "./emulator";
import { EksError, eksFaultError, SsmError, ssmFaultError } from "./errors";
import type { FaultInput, RequestFaultEffect } from "./faults";
import { loadSeedFile, type Seed, type SeedInput } from "./seed";
import { KubernetesBacking } from "./kubernetes/backing";
import { handleAdmin } from "./wire/admin-routes";
import { auditParams, EKS_ROUTES, type EksRequest } from "./wire/eks-routes";
import { parseJsonBody } from "./wire/input";
import { findRoute } from "./wire/router";
import { handleSsm, ssmAuditParams, ssmOperation } from "./wire/ssm-handler";
import { accessKeyOf, handleSts, stsAction } from "./wire/sts-handler";
import { reviewToken } from "./wire/token-webhook";

export interface StartOptions extends EmulatorOptions {
  /** 0 (the default) picks a free port. The emulator binds 127.0.0.1 only. */
  port?: number;
}

/** A running emulator: the HTTP front of a World, plus the controls tests use. */
export class Emulator {
  world: World;
  url = "";
  private server: Server | undefined;
  private readonly initialSeed: Seed;
  /** The control planes behind the clusters, once a seed asks for Kubernetes. */
  private kubernetes: KubernetesBacking | undefined;
  private stopping: Promise<void> | undefined;
  /** Settles when the clusters' API servers match the world's seed; requests wait for it. */
  private ready: Promise<void> = Promise.resolve();

  constructor(private readonly options: EmulatorOptions) {
    this.initialSeed = buildSeed(options, loadSeedFile);
    this.world = new World(this.initialSeed);
  }

  get region(): string {
    return this.world.seed.region;
  }

  async listen(port = 0): Promise<this> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: `emulator failure: ${(e as Error).message}` }));
      });
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      this.prepareKubernetes();
      await this.ready;
    } catch (e) {
      await this.stop();
      throw e;
    }
    return this;
  }

  /**
   * Stops serving, then the control planes (by PID, etcd last, their folders removed). Every call
   * gets the same promise: a second signal (a terminal's Ctrl-C reaches each process of the group,
   * npm passes SIGTERM on) must not see the work as done while it is still under way.
   */
  stop(): Promise<void> {
    return (this.stopping ??= this.stopServing());
  }

  private async stopServing(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server)
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    await this.kubernetes?.stop();
    this.kubernetes = undefined;
  }

  /** Waits until the clusters' API servers match the current seed (a reset rebuilds them). */
  async settled(): Promise<void> {
    await this.ready;
  }

  /** A kubeconfig for a cluster's API server with its admin token; undefined without Kubernetes. */
  async kubeconfig(cluster: string): Promise<string | undefined> {
    await this.ready;
    return this.kubernetes?.kubeconfig(cluster);
  }

  /** The PIDs of every control-plane process (tests check that stop leaves none). */
  async kubernetesPids(): Promise<number[]> {
    return (await this.kubernetes?.pids()) ?? [];
  }

  private prepareKubernetes(): void {
    if (!this.world.seed.kubernetes) return;
    const backing = (this.kubernetes ??= KubernetesBacking.create(() => this.url));
    const world = this.world;
    // One reset at a time on the API servers: a reset during another waits for it.
    this.ready = this.ready.catch(() => undefined).then(() => backing.prepare(world));
    // A failure is reported to every request that waits on it, not as an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  audit(sinceSeq = 0): AuditEntry[] {
    return this.world.audit.list(sinceSeq);
  }

  clearAudit(): void {
    this.world.audit.clear();
  }

  state() {
    return { url: this.url, region: this.region, ...this.world.eks.snapshot() };
  }

  injectFault(fault: FaultInput): number {
    return this.world.inject(fault);
  }

  clearFaults(): void {
    this.world.faults.clear();
  }

  advanceClock(seconds: number): void {
    this.world.clock.advance(seconds * 1000);
  }

  /** Holds simulated time still: updates in progress stay in progress until resumeClock. */
  pauseClock(): void {
    this.world.clock.pause();
  }

  resumeClock(): void {
    this.world.clock.resume();
  }

  /** Back to the seed the emulator started with, or to a new one (the timeScale option still applies). */
  reset(seed?: SeedInput): void {
    this.world = new World(
      seed ? buildSeed({ seed, timeScale: this.options.timeScale }, loadSeedFile) : this.initialSeed,
    );
    if (this.url) this.prepareKubernetes();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bodyText = await readBody(req);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    if (url.pathname.startsWith("/_emulator/")) {
      const { status, body } = handleAdmin(this, method, url.pathname, url.searchParams, bodyText);
      return send(res, status, { "content-type": "application/json" }, body);
    }
    await this.ready;
    const review = /^\/authenticate\/([^/]+)$/.exec(url.pathname);
    if (method === "POST" && review) {
      const body = await reviewToken(decodeURIComponent(review[1] ?? ""), bodyText, {
        accountId: this.world.seed.accountId,
        region: this.region,
        stsHost: new URL(this.url).host,
      });
      return send(res, 200, { "content-type": "application/json" }, body);
    }
    const target = req.headers["x-amz-target"];
    const userAgent = [req.headers["user-agent"], req.headers["x-amz-user-agent"]].filter(Boolean).join(" ");
    if (method === "POST" && url.pathname === "/" && typeof target === "string") {
      return this.handleSsm(res, ssmOperation(target), bodyText, userAgent);
    }
    const action = method === "POST" ? stsAction(req.headers["content-type"], bodyText) : undefined;
    if (action) {
      const caller = {
        accountId: this.world.seed.accountId,
        accessKeyId: accessKeyOf(req.headers.authorization),
      };
      const answer = handleSts(action, caller);
      this.world.audit.append({
        time: this.world.clock.now(),
        service: "sts",
        operation: action,
        ...(userAgent ? { userAgent } : {}),
        status: answer.status,
        ...(answer.errorType ? { errorType: answer.errorType } : {}),
      });
      res.writeHead(answer.status, {
        "content-type": "text/xml",
        [SIMULATED_TIME_HEADER]: simulatedTime(this.world),
        "content-length": String(Buffer.byteLength(answer.xml)),
      });
      res.end(answer.xml);
      return;
    }
    return this.handleEks(res, method, url, bodyText, userAgent);
  }

  private async handleEks(
    res: ServerResponse,
    method: string,
    url: URL,
    bodyText: string,
    userAgent: string,
  ): Promise<void> {
    const world = this.world;
    const match = findRoute(EKS_ROUTES, method, url.pathname);
    const operation = match?.route.operation ?? "Unknown";
    const req: EksRequest = { path: match?.params ?? {}, query: url.searchParams, body: {} };
    const entry: Omit<AuditEntry, "seq" | "mutating" | "status"> = {
      time: world.clock.now(),
      service: "eks",
      operation,
      ...(userAgent ? { userAgent } : {}),
      ...definedOnly({
        // The tagging operations name the cluster by its ARN.
        cluster: req.path.name ?? clusterOfArn(req.path.resourceArn),
        // DescribeUpdate and ListUpdates name their target in the query; DescribeAddonVersions has none.
        nodegroup:
          req.path.nodegroupName ??
          (req.path.name ? url.searchParams.get("nodegroupName") : null) ??
          undefined,
        addon: req.path.addonName ?? (req.path.name ? url.searchParams.get("addonName") : null) ?? undefined,
        updateId: req.path.updateId,
      }),
    };
    let status = 200;
    let payload: unknown;
    let error: EksError | undefined;
    const faulted = await this.applyRequestFaults(operation);
    try {
      if (faulted.error) {
        error = eksFaultError(faulted.error, operation, entry.cluster ?? "", this.region);
      } else if (!match) {
        throw new EksError("UnknownOperationException", `No EKS operation at ${method} ${url.pathname}`);
      } else {
        req.body = parseJsonBody(bodyText);
        const params = auditParams(operation, req);
        if (params) entry.params = params;
        payload = match.route.handle(world.eks, req);
      }
    } catch (e) {
      if (!(e instanceof EksError)) throw e;
      error = e;
    }
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-amzn-requestid": randomUUID(),
      [SIMULATED_TIME_HEADER]: simulatedTime(world),
    };
    if (error) {
      status = error.status;
      headers["x-amzn-errortype"] = error.type;
      payload = error.body();
      const c = error.context;
      if (c.clusterName && !entry.cluster) entry.cluster = c.clusterName;
    } else {
      const update = (payload as { update?: { id?: string } }).update;
      if (update?.id) entry.updateId = update.id;
    }
    world.audit.append({
      ...entry,
      status,
      ...(error ? { errorType: error.type } : {}),
      ...(faulted.error ? { fault: faulted.error.kind } : {}),
    });
    send(res, status, headers, payload);
  }

  private async handleSsm(
    res: ServerResponse,
    operation: string,
    bodyText: string,
    userAgent: string,
  ): Promise<void> {
    const world = this.world;
    const time = world.clock.now();
    const faulted = await this.applyRequestFaults(operation);
    let status = 200;
    let payload: unknown;
    let error: SsmError | undefined;
    try {
      if (faulted.error) {
        error = ssmFaultError(faulted.error, operation, this.region);
      } else {
        payload = handleSsm(world.ssm, operation, bodyText);
      }
    } catch (e) {
      if (!(e instanceof SsmError)) throw e;
      error = e;
    }
    if (error) {
      status = error.status;
      payload = error.body();
    }
    const params = ssmAuditParams(operation, bodyText);
    world.audit.append({
      time,
      service: "ssm",
      operation,
      ...(userAgent ? { userAgent } : {}),
      ...(params ? { params } : {}),
      status,
      ...(error ? { errorType: error.type } : {}),
      ...(faulted.error ? { fault: faulted.error.kind } : {}),
    });
    send(
      res,
      status,
      {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-requestid": randomUUID(),
        [SIMULATED_TIME_HEADER]: simulatedTime(world),
        ...(error ? { "x-amzn-errortype": error.type } : {}),
      },
      payload,
    );
  }

  private async applyRequestFaults(operation: string): Promise<RequestFaultEffect> {
    const effect = this.world.faults.onRequest(operation, this.world.clock.now());
    if (effect.delayMs > 0) await new Promise((r) => setTimeout(r, effect.delayMs));
    return effect;
  }
}

/**
 * The simulated time of an answer. HTTP's Date header stays the wall clock: the AWS SDK corrects
 * its clock from Date (and then retries a failed call once), which a clock running faster would
 * trigger on every error.
 */
export const SIMULATED_TIME_HEADER = "x-emulator-time";

function simulatedTime(world: World): string {
  return new Date(world.clock.now()).toISOString();
}

/** Starts an emulator on 127.0.0.1 and resolves once it accepts connections. */
export async function startEmulator(options: StartOptions = {}): Promise<Emulator> {
  return new Emulator(options).listen(options.port ?? 0);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== "")) as Partial<T>;
}

/** `arn:aws:eks:<region>:<account>:cluster/<name>` names cluster <name>. */
function clusterOfArn(arn: string | undefined): string | undefined {
  return arn?.match(/^arn:[^:]+:eks:[^:]*:\d*:cluster\/(.+)$/)?.[1];
}
