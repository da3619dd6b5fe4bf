import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { type Finding, finding } from "./checks";
import type { Clients } from "./clients";
import { key } from "./keys";

/** Where the engine was looking when a call failed: what an operational finding names. */
export interface CallContext {
  clusterName: string;
  region: string;
  /** The EKS endpoint when not AWS's own (the emulator). */
  endpoint?: string | undefined;
}

/** An error of the connection, not of EKS (the SDK has retried it already): the endpoint is out of reach. */
export function isNetworkError(error: unknown): boolean {
  const e = error as { code?: string; name?: string };
  return /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)$/.test(
    e.code ?? e.name ?? "",
  );
}

const THROTTLED = /^(ThrottlingException|TooManyRequestsException|Throttling|RequestLimitExceeded)$/;

/** EKS throttled the call through every retry of the SDK. */
export function isThrottled(error: unknown): boolean {
  return THROTTLED.test((error as { name?: string }).name ?? "");
}

const isClusterNotFound = (e: { name?: string; message?: string }) =>
  e.name === "ResourceNotFoundException" && /cluster/i.test(e.message ?? "");

/**
 * A cluster that is not found is most often looked for with the wrong credentials: the error gets
 * the account they belong to (STS GetCallerIdentity, which needs no permission), so the finding
 * can name it. Anything else, or an STS call that fails, leaves the error as it is.
 */
export async function withCallerAccount(clients: Clients, error: unknown): Promise<unknown> {
  const e = error as { name?: string; message?: string; account?: string };
  if (!isClusterNotFound(e)) return error;
  try {
    e.account = (await clients.sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch {
    // the finding then says "the account of the credentials in use"
  }
  return error;
}

/**
 * An AWS call that failed for operational reasons (not a refusal of the plan), as a finding: a
 * stable code, the key it is about, what happened, and what to do. Undefined for anything else,
 * which the adapters report as it is.
 */
export function operationalFinding(error: unknown, at: CallContext): Finding | undefined {
  const e = error as {
    name?: string;
    message?: string;
    code?: string;
    account?: string;
    $metadata?: { attempts?: number };
  };
  const name = e.name ?? "";
  const message = e.message ?? String(error);
  const where = `in ${at.region}${at.endpoint ? ` (endpoint ${at.endpoint})` : ""}`;
  if (isClusterNotFound(e))
    return finding(
      "CLUSTER_NOT_FOUND",
      "clusterName",
      `no EKS cluster ${at.clusterName} ${where} in ${e.account ? `account ${e.account}` : "the account of the credentials in use"}`,
    );
  if (
    name === "AccessDeniedException" ||
    name === "UnauthorizedOperation" ||
    /not authorized to perform/.test(message)
  ) {
    const action = /perform: ([\w-]+:[\w]+)/.exec(message)?.[1];
    return finding(
      "ACCESS_DENIED",
      "clusterName",
      `${action ? `${action} was denied` : "access was denied"} ${where}: ${message}`,
      `Grant the credentials in use the actions of docs/iam-policy.json${action ? ` (${action} among them)` : ""} for cluster ${at.clusterName}, then run again.`,
    );
  }
  if (
    /^(CredentialsProviderError|ExpiredToken(Exception)?|UnrecognizedClientException|InvalidClientTokenId|InvalidSignatureException)$/.test(
      name,
    ) ||
    /Could not load credentials/.test(message)
  )
    return finding("CREDENTIALS", "region", `no valid AWS credentials ${where}: ${message}`);
  if (THROTTLED.test(name))
    return finding(
      "THROTTLED",
      "region",
      `EKS kept throttling ${where}${e.$metadata?.attempts ? ` after ${e.$metadata.attempts} attempts` : ""}: ${message}`,
    );
  // TLS spoken to a server that answers plain HTTP (an https URL for the emulator).
  if ((e.code ?? name) === "EPROTO" && at.endpoint?.startsWith("https://"))
    return finding(
      "ENDPOINT_UNREACHABLE",
      "endpoints.eks",
      `${at.endpoint} does not answer TLS (EPROTO: the server speaks something else, most likely plain HTTP)`,
      `The local emulator speaks plain HTTP: use ${at.endpoint.replace(/^https:/, "http:")}, or fix ${key("endpoints.eks")}.`,
    );
  if (isNetworkError(e) || name === "TimeoutError")
    return finding(
      "ENDPOINT_UNREACHABLE",
      at.endpoint ? "endpoints.eks" : "region",
      `cannot reach EKS ${where}: ${e.code ?? name} ${message}`.trim(),
      at.endpoint
        ? `Check that something serves ${at.endpoint} (for the emulator: npm run emulator), or fix ${key("endpoints.eks")}.`
        : undefined,
    );
  return undefined;
}
