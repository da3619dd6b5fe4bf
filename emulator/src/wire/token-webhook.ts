import { verifyEksToken } from "../kubernetes/token-review";
import { callerArn } from "./sts-handler";

/**
 * The API server's token webhook (`POST /authenticate/<cluster>`, a TokenReview of
 * authentication.k8s.io/v1): what EKS's authenticator answers. A valid `k8s-aws-v1.` token for
 * this cluster maps to the caller's IAM identity in the group an access entry gives it
 * (`kubernetesGroups: [eks-upgrade]`), which docs/kubernetes-rbac.yaml binds to what the tool may
 * do; any other token is refused with the reason.
 */
export const CALLER_GROUP = "eks-upgrade";

export async function reviewToken(
  cluster: string,
  bodyText: string,
  env: { accountId: string; region: string; stsHost: string },
): Promise<unknown> {
  let token = "";
  try {
    token = String((JSON.parse(bodyText) as { spec?: { token?: unknown } }).spec?.token ?? "");
  } catch {
    // An empty token is refused below.
  }
  const verdict = await verifyEksToken(token, {
    cluster,
    region: env.region,
    stsHost: env.stsHost,
    now: Date.now(),
  });
  const review = { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview" };
  if (!verdict.ok) return { ...review, status: { authenticated: false, error: verdict.error } };
  const arn = callerArn(env.accountId);
  return {
    ...review,
    status: {
      authenticated: true,
      user: {
        username: arn,
        uid: `aws-iam-authenticator:${env.accountId}:${verdict.accessKeyId}`,
        groups: [CALLER_GROUP],
        extra: { arn: [arn], accessKeyId: [verdict.accessKeyId] },
      },
    },
  };
}
