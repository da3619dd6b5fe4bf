import { EKSClient } from "@aws-sdk/client-eks";
import { SSMClient } from "@aws-sdk/client-ssm";
import { type DesiredSpec, isLoopbackHost } from "./spec";

export interface Clients {
  eks: EKSClient;
  ssm: SSMClient;
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
  return {
    eks: new EKSClient({ ...common, ...(spec.endpoints?.eks ? { endpoint: spec.endpoints.eks } : {}) }),
    ssm: new SSMClient({ ...common, ...(spec.endpoints?.ssm ? { endpoint: spec.endpoints.ssm } : {}) }),
  };
}

/** The user agent suffix of every call the engine makes. */
export const USER_AGENT = "eks-upgrade/0.1.0";

const LOCAL_CREDENTIALS = { accessKeyId: "local-emulator", secretAccessKey: "local-emulator" };

/** True when both endpoints are set and point at this machine (127.0.0.0/8, ::1, localhost). */
export function loopbackOnly(endpoints: DesiredSpec["endpoints"]): boolean {
  const urls = [endpoints?.eks, endpoints?.ssm];
  return urls.every((u) => u !== undefined && isLoopbackHost(new URL(u).hostname));
}

export function destroyClients(clients: Clients): void {
  clients.eks.destroy();
  clients.ssm.destroy();
}
