import { readFileSync } from "node:fs";
import { parse } from "yaml";

/**
 * A `Pulumi.<stack>.yaml` file's config as Pulumi holds it at run time (what
 * `pulumi.runtime.allConfig()` returns): "namespace:key" -> string, structured values as JSON.
 * Lets the CLI (`--stack`) and the tests read a stack exactly as the program sees it.
 */
export function readStackFile(file: string): Record<string, string> {
  const doc = parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  return Object.fromEntries(
    Object.entries(doc?.config ?? {}).map(([k, v]) => [
      k,
      typeof v === "object" ? JSON.stringify(v) : String(v),
    ]),
  );
}
