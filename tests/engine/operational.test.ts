import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeFinding, operationalFinding, plainKey } from "../../providers/engine/src/index";

/** AWS errors as the SDK raises them (name, message, code, attempts), mapped to findings. */
const at = { clusterName: "prod", region: "eu-west-1" };
const sdkError = (name: string, message: string, extra: object = {}) =>
  Object.assign(new Error(message), { name, ...extra });

describe("operational errors as findings", () => {
  const cases: [string, unknown, string, RegExp][] = [
    [
      "an unknown cluster",
      sdkError("ResourceNotFoundException", "No cluster found for name: prod."),
      "EKSUP201",
      /^EKSUP201 clusterName: no EKS cluster prod in eu-west-1 in the account of the credentials in use\. Check clusterName and region/,
    ],
    [
      "a denied call, naming the IAM action",
      sdkError(
        "AccessDeniedException",
        "User: arn:aws:sts::1:assumed-role/ci/s is not authorized to perform: eks:UpdateClusterVersion on resource: arn:aws:eks:eu-west-1:1:cluster/prod",
      ),
      "EKSUP202",
      /eks:UpdateClusterVersion was denied in eu-west-1.*docs\/iam-policy\.json \(eks:UpdateClusterVersion among them\)/,
    ],
    [
      "no credentials",
      sdkError("CredentialsProviderError", "Could not load credentials from any providers"),
      "EKSUP203",
      /^EKSUP203 region: no valid AWS credentials in eu-west-1: Could not load credentials.*aws sso login/,
    ],
    [
      "expired credentials",
      sdkError("ExpiredTokenException", "The security token included in the request is expired"),
      "EKSUP203",
      /no valid AWS credentials/,
    ],
    [
      "throttling after every retry",
      sdkError("ThrottlingException", "Rate exceeded", { $metadata: { attempts: 8 } }),
      "EKSUP204",
      /EKS kept throttling in eu-west-1 after 8 attempts: Rate exceeded\. Run again in a few minutes/,
    ],
    [
      "an unreachable endpoint",
      sdkError("Error", "connect ECONNREFUSED", { code: "ECONNREFUSED" }),
      "EKSUP205",
      /^EKSUP205 region: cannot reach EKS in eu-west-1: ECONNREFUSED/,
    ],
  ];
  for (const [what, error, code, text] of cases) {
    it(`${what} -> ${code}`, () => {
      const f = operationalFinding(error, at);
      assert.equal(f?.code, code);
      assert.match(describeFinding(f!, plainKey), text);
    });
  }

  it("anything else is not an operational finding", () => {
    assert.equal(operationalFinding(new TypeError("x is not a function"), at), undefined);
    assert.equal(operationalFinding(sdkError("ResourceNotFoundException", "No addon: nope"), at), undefined);
  });
});
