import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";

/**
 * The bearer token EKS's API server accepts, made as `aws eks get-token` and aws-iam-authenticator
 * make it: a presigned STS GetCallerIdentity URL whose signature covers the `x-k8s-aws-id` header
 * naming the cluster (so a token for one cluster is refused by another), valid 60 seconds after
 * signing (the API server's authenticator allows 15 minutes), base64url-encoded behind `k8s-aws-v1.`.
 * No call is made here: the API server's authenticator calls STS with the URL.
 */
export const EKS_TOKEN_PREFIX = "k8s-aws-v1.";
export const CLUSTER_ID_HEADER = "x-k8s-aws-id";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface EksTokenInput {
  clusterName: string;
  region: string;
  /** STS's endpoint: the regional one unless overridden (the emulator serves STS itself). */
  stsEndpoint?: string | undefined;
  credentials: AwsCredentials | (() => Promise<AwsCredentials>);
  /** Signing time; now by default. */
  signingDate?: Date;
}

export async function eksToken(input: EksTokenInput): Promise<string> {
  const sts = new URL(input.stsEndpoint ?? `https://sts.${input.region}.amazonaws.com`);
  const signer = new SignatureV4({
    service: "sts",
    region: input.region,
    credentials: input.credentials,
    sha256: Sha256,
    // The query is signed as sent: no double URI-encoding (STS's rule, unlike S3's).
    uriEscapePath: true,
  });
  const host = sts.host;
  const presigned = await signer.presign(
    {
      method: "GET",
      protocol: sts.protocol,
      hostname: sts.hostname,
      ...(sts.port ? { port: Number(sts.port) } : {}),
      path: "/",
      query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
      headers: { host, [CLUSTER_ID_HEADER]: input.clusterName },
    },
    {
      expiresIn: 60,
      // The cluster id stays a header (signed, not hoisted into the query), as the authenticator expects.
      unhoistableHeaders: new Set([CLUSTER_ID_HEADER]),
      ...(input.signingDate ? { signingDate: input.signingDate } : {}),
    },
  );
  const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
  const url = `${sts.protocol}//${host}/?${query}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url).toString("base64url");
}
