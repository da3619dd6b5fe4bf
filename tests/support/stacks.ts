import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readStackFile } from "../../infra/stack-file";
import { ROOT } from "./provider";

/** Every shipped stack file: Pulumi.<stack>.yaml. */
export const STACK_FILES = readdirSync(ROOT).filter((f) => /^Pulumi\.[\w-]+\.yaml$/.test(f));

/** A shipped stack file's config, as Pulumi holds it at run time. */
export function stackConfig(file: string): Record<string, string> {
  return readStackFile(join(ROOT, file));
}
