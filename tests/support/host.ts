import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { PROVIDER_ENV, ROOT } from "./provider";

export const URN = "urn:pulumi:test::eks-upgrade::pulumi-nodejs:dynamic/eks-upgrade:ClusterUpgrade::upgrade";
type Props = Record<string, unknown>;
const toStruct = (props: Props) => Struct.fromJavaScript(props as never);
const fromStruct = (struct: Struct | undefined) => struct?.toJavaScript() as Props;

/**
 * The real dynamic-provider host of @pulumi/pulumi, spawned as `pulumi up` spawns it, driven over
 * gRPC with the proto stubs @pulumi/pulumi ships: exactly what the engine does, minus the engine.
 */
export class ProviderHost {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly client: ResourceProviderClient,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<ProviderHost> {
    const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider");
    // The second argument is the engine's address; the host only needs one to start.
    const child = spawn(process.execPath, [entry, "127.0.0.1:1"], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...PROVIDER_ENV,
        ...env,
        PULUMI_NODEJS_PROJECT: "eks-upgrade",
        PULUMI_NODEJS_STACK: "test",
      },
    });
    const lines = createInterface({ input: child.stdout });
    const [port] = (await once(lines, "line")) as [string];
    if (!/^\d+$/.test(port)) throw new Error(`the host did not print its port: ${port}`);
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const host = new ProviderHost(child, client);
    lines.on("line", (l) => host.stdout.push(l));
    child.stderr.on("data", (d: Buffer) => host.stderr.push(d.toString()));
    return host;
  }

  /** Kills the host at once, as a crash or a killed `pulumi up` would. */
  async kill(): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
      await once(this.child, "exit");
    }
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGTERM");
      await once(this.child, "exit");
    }
  }

  private call<Res>(
    invoke: (done: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      invoke((err, res) => (err ? reject(err) : resolve(res)));
    });
  }

  configure(config: Props = {}) {
    const req = new proto.ConfigureRequest();
    req.setArgs(toStruct(config));
    req.setAcceptsecrets(false);
    return this.call<proto.ConfigureResponse>((done) => this.client.configure(req, done));
  }

  async check(olds: Props, news: Props) {
    const req = new proto.CheckRequest();
    req.setUrn(URN);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const res = await this.call<proto.CheckResponse>((done) => this.client.check(req, done));
    return {
      inputs: fromStruct(res.getInputs()),
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(id: string, olds: Props, news: Props) {
    const req = new proto.DiffRequest();
    req.setId(id);
    req.setUrn(URN);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const res = await this.call<proto.DiffResponse>((done) => this.client.diff(req, done));
    return { changes: res.getChanges(), replaces: res.getReplacesList() };
  }

  async create(props: Props) {
    const req = new proto.CreateRequest();
    req.setUrn(URN);
    req.setProperties(toStruct(props));
    const res = await this.call<proto.CreateResponse>((done) => this.client.create(req, done));
    return { id: res.getId(), properties: fromStruct(res.getProperties()) };
  }

  async update(id: string, olds: Props, news: Props) {
    const req = new proto.UpdateRequest();
    req.setId(id);
    req.setUrn(URN);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const res = await this.call<proto.UpdateResponse>((done) => this.client.update(req, done));
    return { properties: fromStruct(res.getProperties()) };
  }

  async read(id: string, props: Props) {
    const req = new proto.ReadRequest();
    req.setId(id);
    req.setUrn(URN);
    req.setProperties(toStruct(props));
    const res = await this.call<proto.ReadResponse>((done) => this.client.read(req, done));
    return { id: res.getId(), properties: fromStruct(res.getProperties()) };
  }

  async delete(id: string, props: Props) {
    const req = new proto.DeleteRequest();
    req.setId(id);
    req.setUrn(URN);
    req.setProperties(toStruct(props));
    await this.call<unknown>((done) => this.client.delete(req, done));
  }
}

/** The partial state a failed Create/Update carries in `grpc-status-details-bin`, as the engine reads it. */
export function partialState(
  err: grpc.ServiceError,
): { id: string; properties: Props; reasons: string[] } | undefined {
  const bin = err.metadata?.get("grpc-status-details-bin")[0];
  if (!bin) return undefined;
  const status = Status.deserializeBinary(new Uint8Array(bin as Buffer));
  const detail = status.getDetailsList()[0];
  if (!detail) return undefined;
  const failed = proto.ErrorResourceInitFailed.deserializeBinary(detail.getValue_asU8());
  return {
    id: failed.getId(),
    properties: fromStruct(failed.getProperties()),
    reasons: failed.getReasonsList(),
  };
}

export const DIFF_NONE = proto.DiffResponse.DiffChanges.DIFF_NONE;
export const DIFF_SOME = proto.DiffResponse.DiffChanges.DIFF_SOME;
