import { timingSafeEqual } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";

/**
 * What EKS's authenticator (aws-iam-authenticator) does with a bearer token, for the API server's
 * token webhook: a `k8s-aws-v1.` token is a presigned STS GetCallerIdentity URL; the signature
 * must cover `x-k8s-aws-id` set to this cluster's name, and be at most 15 minutes old. Real STS
 * knows every secret; the emulator knows the one its clients use (LOCAL_CREDENTIALS), so it checks
 * the signature by signing the same request again.
 */
export const TOKEN_PREFIX = "k8s-aws-v1.";
const CLUSTER_ID_HEADER = "x-k8s-aws-id";
const MAX_AGE_MS = 15 * 60_000;
/** The credentials the engine and the emulator's own tests sign with on loopback. */
export const KNOWN_SECRETS: Record<string, string> = { "local-emulator": "local-emulator" };

export interface TokenCheck {
  cluster: string;
  region: string;
  /** host:port STS is served at (the emulator's own). */
  stsHost: string;
  /** Wall-clock now: signatures are made with the client's real clock. */
  now: number;
}

export type TokenVerdict = { ok: true; accessKeyId: string } | { ok: false; error: string };

export async function verifyEksToken(token: string, check: TokenCheck): Promise<TokenVerdict> {
  const refuse = (error: string): TokenVerdict => ({ ok: false, error });
  if (!token.startsWith(TOKEN_PREFIX)) return refuse(`token does not start with ${TOKEN_PREFIX}`);
  let url: URL;
  try {
    url = new URL(Buffer.from(token.slice(TOKEN_PREFIX.length), "base64url").toString("utf8"));
  } catch {
    return refuse("input token was not properly formatted: not a base64url-encoded URL");
  }
  const q = url.searchParams;
  if (url.host !== check.stsHost || url.pathname !== "/")
    return refuse(`unexpected STS endpoint ${url.host}${url.pathname}; expected ${check.stsHost}/`);
  if (q.get("Action") !== "GetCallerIdentity" || q.get("Version") !== "2011-06-15")
    return refuse("the token is not a presigned GetCallerIdentity (Action, Version)");
  if (q.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256")
    return refuse("X-Amz-Algorithm must be AWS4-HMAC-SHA256");
  const signedHeaders = (q.get("X-Amz-SignedHeaders") ?? "").split(";");
  if (!signedHeaders.includes("host") || !signedHeaders.includes(CLUSTER_ID_HEADER))
    return refuse(`the signature must cover host and ${CLUSTER_ID_HEADER}`);
  const credential = /^([^/]+)\/(\d{8})\/([^/]+)\/sts\/aws4_request$/.exec(q.get("X-Amz-Credential") ?? "");
  if (!credential) return refuse("X-Amz-Credential is not <key>/<date>/<region>/sts/aws4_request");
  const [, accessKeyId = "", , region] = credential;
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(q.get("X-Amz-Date") ?? "");
  if (!date) return refuse("X-Amz-Date is missing or malformed");
  const signedAt = Date.UTC(+date[1]!, +date[2]! - 1, +date[3]!, +date[4]!, +date[5]!, +date[6]!);
  if (check.now - signedAt > MAX_AGE_MS)
    return refuse("the token has expired (signed more than 15 minutes ago)");
  if (signedAt - check.now > MAX_AGE_MS) return refuse("the token is signed in the future");
  const secret = KNOWN_SECRETS[accessKeyId];
  if (!secret) return refuse(`InvalidClientTokenId: the access key ${accessKeyId} is not known here`);

  const signer = new SignatureV4({
    service: "sts",
    region: region ?? check.region,
    credentials: { accessKeyId, secretAccessKey: secret },
    sha256: Sha256,
  });
  // Signed again as the authenticator's STS call would carry it: with this cluster's name.
  const expected = await signer.presign(
    {
      method: "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: "/",
      query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
      headers: { host: url.host, [CLUSTER_ID_HEADER]: check.cluster },
    },
    {
      signingDate: new Date(signedAt),
      expiresIn: Number(q.get("X-Amz-Expires") ?? "60"),
      unhoistableHeaders: new Set(signedHeaders.filter((h) => h !== "host")),
    },
  );
  const want = Buffer.from(String((expected.query as Record<string, string>)["X-Amz-Signature"]));
  const got = Buffer.from(q.get("X-Amz-Signature") ?? "");
  if (want.length !== got.length || !timingSafeEqual(want, got))
    return refuse(
      `SignatureDoesNotMatch: the token is not signed for cluster ${check.cluster} (${CLUSTER_ID_HEADER}) with these credentials`,
    );
  return { ok: true, accessKeyId };
}
