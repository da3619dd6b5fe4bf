import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

/**
 * botocore's service models (shipped with the AWS CLI v1 on our machines): the authoritative list
 * of operations, paths, member names, types and enums. We read them from the installed package at
 * test time; nothing of them is copied into the project.
 */
export interface ServiceModel {
  operations: Record<
    string,
    { http: { method: string; requestUri: string }; output?: { shape: string }; errors?: { shape: string }[] }
  >;
  shapes: Record<string, Shape>;
}

export interface Shape {
  type: string;
  members?: Record<string, { shape: string; location?: string }>;
  member?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  required?: string[];
}

export function loadBotocoreModel(service: "eks" | "ssm"): ServiceModel | undefined {
  let dir: string;
  try {
    dir = execFileSync("python3", ["-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
  const version = service === "eks" ? "2017-11-01" : "2014-11-06";
  const base = join(dir, "data", service, version, "service-2.json");
  if (existsSync(`${base}.gz`)) return JSON.parse(gunzipSync(readFileSync(`${base}.gz`)).toString("utf8"));
  if (existsSync(base)) return JSON.parse(readFileSync(base, "utf8"));
  return undefined;
}

/**
 * Enum values newer than some botocore releases: the 2026 control-plane rollback. Accepted only
 * where the installed model predates them.
 */
const NEWER_ENUM_VALUES: Record<string, string[]> = { UpdateType: ["VersionRollback"] };

/** Every problem found when reading `value` as `shapeName`, each with its JSON path. */
export function conformance(model: ServiceModel, shapeName: string, value: unknown, path = "$"): string[] {
  const shape = model.shapes[shapeName];
  if (!shape) return [`${path}: unknown shape ${shapeName}`];
  const problems: string[] = [];
  const fail = (what: string) => problems.push(`${path}: ${what} (shape ${shapeName})`);
  switch (shape.type) {
    case "structure": {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return [`${path}: expected an object (shape ${shapeName})`];
      const members = shape.members ?? {};
      for (const [key, v] of Object.entries(value)) {
        const m = members[key];
        if (!m) {
          fail(`unknown member "${key}"`);
          continue;
        }
        if (v === null) continue;
        problems.push(...conformance(model, m.shape, v, `${path}.${key}`));
      }
      for (const r of shape.required ?? [])
        if (!(r in (value as object))) fail(`missing required member "${r}"`);
      break;
    }
    case "list":
      if (!Array.isArray(value)) return [`${path}: expected a list (shape ${shapeName})`];
      value.forEach((v, i) => {
        problems.push(...conformance(model, shape.member?.shape ?? "", v, `${path}[${i}]`));
      });
      break;
    case "map":
      if (typeof value !== "object" || value === null)
        return [`${path}: expected a map (shape ${shapeName})`];
      for (const [k, v] of Object.entries(value))
        problems.push(...conformance(model, shape.value?.shape ?? "", v, `${path}.${k}`));
      break;
    case "string":
      if (typeof value !== "string") fail(`expected a string, got ${JSON.stringify(value)}`);
      else if (shape.enum && !shape.enum.includes(value) && !NEWER_ENUM_VALUES[shapeName]?.includes(value)) {
        fail(`"${value}" is not one of ${shape.enum.join(", ")}`);
      }
      break;
    case "integer":
    case "long":
      if (!Number.isInteger(value)) fail(`expected an integer, got ${JSON.stringify(value)}`);
      break;
    case "float":
    case "double":
      if (typeof value !== "number") fail(`expected a number, got ${JSON.stringify(value)}`);
      break;
    case "boolean":
      if (typeof value !== "boolean") fail(`expected a boolean, got ${JSON.stringify(value)}`);
      break;
    case "timestamp":
      // REST-JSON and JSON 1.1 both send timestamps as epoch seconds.
      if (typeof value !== "number") fail(`expected epoch seconds, got ${JSON.stringify(value)}`);
      break;
    default:
      fail(`unhandled shape type ${shape.type}`);
  }
  return problems;
}
