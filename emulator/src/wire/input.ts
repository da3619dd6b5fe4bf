import { EksError, invalidParameter } from "../errors";

/** Reading typed values out of REST-JSON requests; a wrong type is refused like EKS refuses it. */

export type Json = Record<string, unknown>;

export function parseJsonBody(text: string): Json {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new EksError("SerializationException", "The request body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new EksError("SerializationException", "The request body must be a JSON object");
  }
  return value as Json;
}

export function optString(body: Json, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidParameter(`${key} must be a string`);
  return v;
}

export function optBoolean(body: Json, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw invalidParameter(`${key} must be a boolean`);
  return v;
}

export function optObject<T = Json>(body: Json, key: string): T | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw invalidParameter(`${key} must be an object`);
  return v as T;
}

export function queryInt(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw invalidParameter(`${key} must be an integer`);
  return n;
}

export function queryBool(q: URLSearchParams, key: string): boolean | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  if (v !== "true" && v !== "false") throw invalidParameter(`${key} must be true or false`);
  return v === "true";
}

export function queryString(q: URLSearchParams, key: string): string | undefined {
  return q.get(key) ?? undefined;
}
