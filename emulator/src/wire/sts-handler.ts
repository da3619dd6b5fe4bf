import { randomUUID } from "node:crypto";

/**
 * STS speaks the AWS Query protocol: POST / with a form body `Action=GetCallerIdentity&Version=2011-06-15`,
 * answered in XML. The emulator serves GetCallerIdentity only: who the caller is, in the seed's account.
 */
export const STS_VERSION = "2011-06-15";

/** The Query action of a form-encoded STS request, or undefined for any other request. */
export function stsAction(contentType: string | undefined, bodyText: string): string | undefined {
  if (!contentType?.startsWith("application/x-www-form-urlencoded")) return undefined;
  return new URLSearchParams(bodyText).get("Action") ?? undefined;
}

/** The access key id from a SigV4 Authorization header (`Credential=AKIA.../date/region/sts/aws4_request`). */
export function accessKeyOf(authorization: string | undefined): string {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? "")?.[1] ?? "AIDAEMULATOR";
}

/** Who the emulator says the caller is: one IAM user in the seed's account. */
export function callerArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:user/emulator`;
}

export function handleSts(
  action: string,
  caller: { accountId: string; accessKeyId: string },
): { status: number; xml: string; errorType?: string } {
  const requestId = randomUUID();
  if (action !== "GetCallerIdentity") {
    const message = `The emulator does not implement STS ${action}`;
    return {
      status: 400,
      errorType: "InvalidAction",
      xml: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/${STS_VERSION}/"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  const arn = callerArn(caller.accountId);
  return {
    status: 200,
    xml:
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/${STS_VERSION}/">` +
      `<GetCallerIdentityResult><Arn>${arn}</Arn><UserId>${caller.accessKeyId}</UserId><Account>${caller.accountId}</Account></GetCallerIdentityResult>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
  };
}
