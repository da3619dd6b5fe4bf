import { invalidParameter } from "./errors";

/** EKS list pagination: `maxResults` 1–100 (100 by default), an opaque `nextToken`. */
export function paginate<T>(
  items: readonly T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { page: T[]; nextToken?: string } {
  const size = maxResults ?? 100;
  if (!Number.isInteger(size) || size < 1 || size > 100) {
    throw invalidParameter("maxResults must be an integer between 1 and 100");
  }
  const start = nextToken === undefined ? 0 : decodeToken(nextToken);
  const page = items.slice(start, start + size);
  const next = start + size < items.length ? encodeToken(start + size) : undefined;
  return next ? { page, nextToken: next } : { page };
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), "utf8").toString("base64url");
}

function decodeToken(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { offset: unknown };
    if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through to the refusal below
  }
  throw invalidParameter("The nextToken provided is invalid");
}
