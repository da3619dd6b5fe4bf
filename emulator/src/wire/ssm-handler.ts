import { SsmError } from "../errors";
import type { SsmBackend } from "../ssm";

/** SSM speaks JSON 1.1: POST / with `X-Amz-Target: AmazonSSM.<Operation>`. */
export const SSM_TARGET_PREFIX = "AmazonSSM.";

export function ssmOperation(target: string): string {
  return target.startsWith(SSM_TARGET_PREFIX) ? target.slice(SSM_TARGET_PREFIX.length) : target;
}

export function handleSsm(ssm: SsmBackend, operation: string, bodyText: string): unknown {
  let body: Record<string, unknown>;
  try {
    body = bodyText.trim() ? (JSON.parse(bodyText) as Record<string, unknown>) : {};
  } catch {
    throw new SsmError("SerializationException", "The request body is not valid JSON");
  }
  switch (operation) {
    case "GetParameter":
      return ssm.getParameter(body.Name);
    case "GetParameters":
      return ssm.getParameters(body.Names);
    default:
      throw new SsmError("UnknownOperationException", `The emulator does not implement SSM ${operation}`);
  }
}

export function ssmAuditParams(operation: string, bodyText: string): Record<string, unknown> | undefined {
  try {
    const body = JSON.parse(bodyText) as Record<string, unknown>;
    if (operation === "GetParameter") return { name: body.Name };
    if (operation === "GetParameters") return { names: body.Names };
  } catch {
    // unparseable bodies are refused by the handler; nothing to record
  }
  return undefined;
}
