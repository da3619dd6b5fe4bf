import type { Fault } from "./faults";

/**
 * Every error the emulator can answer, in one place. EKS errors travel as an HTTP status, the header
 * `x-amzn-errortype` and a JSON body that always carries `message`, `clusterName`, `nodegroupName`
 * and `addonName` (nulls included, as real EKS sends them). SSM (JSON 1.1) errors carry `__type`.
 */

export type EksErrorType =
  | "InvalidParameterException"
  | "InvalidRequestException"
  | "ClientException"
  | "InvalidStateException"
  | "ResourceNotFoundException"
  | "ResourceInUseException"
  | "ThrottlingException"
  | "TooManyRequestsException"
  | "ServerException"
  | "ServiceUnavailableException"
  | "UnknownOperationException"
  | "SerializationException"
  | "AccessDeniedException"
  // The tagging operations' own errors (the EKS API model lists these two for them).
  | "BadRequestException"
  | "NotFoundException";

const STATUS: Record<EksErrorType, number> = {
  InvalidParameterException: 400,
  InvalidRequestException: 400,
  ClientException: 400,
  InvalidStateException: 400,
  ResourceNotFoundException: 404,
  ResourceInUseException: 409,
  ThrottlingException: 429,
  TooManyRequestsException: 429,
  ServerException: 500,
  ServiceUnavailableException: 503,
  UnknownOperationException: 404,
  SerializationException: 400,
  AccessDeniedException: 403,
  BadRequestException: 400,
  NotFoundException: 404,
};

export interface ErrorContext {
  clusterName?: string | undefined;
  nodegroupName?: string | undefined;
  addonName?: string | undefined;
}

export class EksError extends Error {
  readonly status: number;
  constructor(
    readonly type: EksErrorType,
    message: string,
    readonly context: ErrorContext = {},
  ) {
    super(message);
    this.name = type;
    this.status = STATUS[type];
  }

  body(): Record<string, string | null> {
    return {
      message: this.message,
      clusterName: this.context.clusterName ?? null,
      nodegroupName: this.context.nodegroupName ?? null,
      addonName: this.context.addonName ?? null,
    };
  }
}

export const invalidParameter = (message: string, ctx?: ErrorContext) =>
  new EksError("InvalidParameterException", message, ctx);
export const invalidRequest = (message: string, ctx?: ErrorContext) =>
  new EksError("InvalidRequestException", message, ctx);
export const invalidState = (message: string, ctx?: ErrorContext) =>
  new EksError("InvalidStateException", message, ctx);
export const notFound = (message: string, ctx?: ErrorContext) =>
  new EksError("ResourceNotFoundException", message, ctx);
export const resourceInUse = (message: string, ctx?: ErrorContext) =>
  new EksError("ResourceInUseException", message, ctx);

export type SsmErrorType =
  | "ParameterNotFound"
  | "ValidationException"
  | "ThrottlingException"
  | "InternalServerError"
  | "ServiceUnavailable"
  | "UnknownOperationException"
  | "SerializationException"
  | "AccessDeniedException";

const SSM_STATUS: Record<SsmErrorType, number> = {
  ParameterNotFound: 400,
  ValidationException: 400,
  ThrottlingException: 400,
  InternalServerError: 500,
  ServiceUnavailable: 503,
  UnknownOperationException: 400,
  SerializationException: 400,
  AccessDeniedException: 400,
};

export class SsmError extends Error {
  readonly status: number;
  /** Real SSM sends ParameterNotFound with no message at all, so the message is optional. */
  private readonly withMessage: boolean;

  constructor(
    readonly type: SsmErrorType,
    message?: string,
  ) {
    super(message ?? type);
    this.name = type;
    this.status = SSM_STATUS[type];
    this.withMessage = message !== undefined;
  }

  body(): Record<string, string> {
    return this.withMessage ? { __type: this.type, message: this.message } : { __type: this.type };
  }
}

type AnsweringFault = Extract<Fault, { kind: "throttle" | "serverError" | "accessDenied" }>;

/** The caller the emulator pretends denied calls come from (IAM's message names it and the action). */
const DENIED_PRINCIPAL = "arn:aws:sts::123456789012:assumed-role/eks-upgrade-ci/session";

function deniedMessage(action: string, resource: string): string {
  return `User: ${DENIED_PRINCIPAL} is not authorized to perform: ${action} on resource: ${resource}`;
}

/** What an injected request fault answers on EKS (`operation` and `cluster` for IAM's message). */
export function eksFaultError(fault: AnsweringFault, operation = "", cluster = "", region = ""): EksError {
  if (fault.kind === "throttle") return new EksError(fault.errorType, "Rate exceeded");
  if (fault.kind === "accessDenied")
    return new EksError(
      "AccessDeniedException",
      deniedMessage(`eks:${operation}`, `arn:aws:eks:${region}:123456789012:cluster/${cluster}`),
    );
  return fault.status === 503
    ? new EksError("ServiceUnavailableException", "Service is unavailable. Please try again later.")
    : new EksError("ServerException", "An internal error occurred. Please try again.");
}

/** What an injected request fault answers on SSM. */
export function ssmFaultError(fault: AnsweringFault, operation = "", region = ""): SsmError {
  if (fault.kind === "throttle") return new SsmError("ThrottlingException", "Rate exceeded");
  if (fault.kind === "accessDenied")
    return new SsmError(
      "AccessDeniedException",
      deniedMessage(`ssm:${operation}`, `arn:aws:ssm:${region}::parameter/aws/service/*`),
    );
  return fault.status === 503
    ? new SsmError("ServiceUnavailable", "Service is unavailable")
    : new SsmError("InternalServerError", "An internal error occurred");
}

/** A seed or fault definition that does not fit its schema; `path` names the offending field. */
export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SeedError";
  }
}
