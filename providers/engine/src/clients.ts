import { EKSClient } from "@aws-sdk/client-eks";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { type DesiredSpec, isLoopbackHost } from "./spec";

export interface Clients {
  eks: EKSClient;
  ssm: SSMClient;
  /** Only to name the account of the credentials when a cluster is not found. */
  sts: STSClient;
  /** The time as EKS tells it: dates from EKS (support ends, updates) are compared with this. */
  clock: ServiceClock;
}

/**
 * EKS's clock, from the Date header of its answers: a support window or a bake period compares
 * EKS's dates with EKS's time, not this machine's (which may be off). The local emulator sends its
 * simulated time in `x-emulator-time` (its Date stays the wall clock, which the SDK's clock-skew
 * correction reads). Before any answer, this machine's clock.
 */
export class ServiceClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  heard(dateHeader: string | undefined): void {
    const at = dateHeader ? Date.parse(dateHeader) : Number.NaN;
    if (Number.isFinite(at)) this.offsetMs = at - Date.now();
  }
}

export interface ClientOptions {
  /** Credentials for tests and the emulator; the AWS default chain when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per call, the first included. */
  maxAttempts?: number;
}

/**
 * EKS and SSM clients for a spec. Throttling and 5xx answers are the SDK's to retry: standard mode
 * (exponential backoff with jitter) with more attempts than the default 3, since EKS rate-limits
 * Describe calls and an upgrade polls for an hour or more.
 */
export function createClients(
  spec: Pick<DesiredSpec, "region" | "endpoints">,
  options: ClientOptions = {},
): Clients {
  quietSdkNodeWarning();
  const stsEndpoint = spec.endpoints?.sts ?? spec.endpoints?.eks;
  // A local emulator accepts any signature: never send it real credentials, and need none.
  const credentials = options.credentials ?? (loopbackOnly(spec.endpoints) ? LOCAL_CREDENTIALS : undefined);
  const common = {
    region: spec.region,
    maxAttempts: options.maxAttempts ?? 8,
    // Tells our calls apart in CloudTrail (and in the emulator's audit, for the IAM policy check).
    customUserAgent: USER_AGENT,
    retryMode: "standard",
    ...(credentials ? { credentials } : {}),
  };
  const clock = new ServiceClock();
  const eks = new EKSClient({ ...common, ...(spec.endpoints?.eks ? { endpoint: spec.endpoints.eks } : {}) });
  eks.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const headers = (out.response as { headers?: Record<string, string> }).headers;
      clock.heard(headers?.["x-emulator-time"] ?? headers?.date);
      return out;
    },
    { step: "deserialize", name: "eksUpgradeServiceClock" },
  );
  return {
    clock,
    eks,
    ssm: new SSMClient({ ...common, ...(spec.endpoints?.ssm ? { endpoint: spec.endpoints.ssm } : {}) }),
    sts: new STSClient({ ...common, ...(stsEndpoint ? { endpoint: stsEndpoint } : {}) }),
  };
}

/** The user agent suffix of every call the engine makes. */
export const USER_AGENT = "eks-upgrade/0.1.0";

const LOCAL_CREDENTIALS = { accessKeyId: "local-emulator", secretAccessKey: "local-emulator" };

/** True when the EKS and SSM endpoints are set and, with STS's, point at this machine (127.0.0.0/8, ::1, localhost). */
export function loopbackOnly(endpoints: DesiredSpec["endpoints"]): boolean {
  const urls = [endpoints?.eks, endpoints?.ssm, endpoints?.sts ?? endpoints?.eks];
  return urls.every((u) => u !== undefined && isLoopbackHost(new URL(u).hostname));
}

export function destroyClients(clients: Clients): void {
  clients.eks.destroy();
  clients.ssm.destroy();
  clients.sts.destroy();
}

/** The Node.js major from which the AWS SDK releases after January 2027 run. */
const SDK_NODE_MAJOR = 22;

/**
 * On Node 20 the AWS SDK prints a seven-line NodeVersionSupportWarning at its first client, which
 * lands in every `pulumi preview` (and so every pull-request comment). The lock file pins SDK
 * releases that support Node 20, so the engine turns the SDK's warning off and its adapters print
 * `runtimeNotice()` where people look for it (the CLI's --version and status), not on every run. A
 * user who set the variable keeps their choice.
 */
function quietSdkNodeWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}

/** One line about the Node.js runtime when it is older than the SDK's next releases need; else undefined. */
export function runtimeNotice(version = process.version): string | undefined {
  const major = Number(/^v?(\d+)/.exec(version)?.[1]);
  if (major >= SDK_NODE_MAJOR) return undefined;
  return `note: Node.js ${version} works with the AWS SDK releases this project pins; SDK releases from January 2027 need Node.js ${SDK_NODE_MAJOR}`;
}
