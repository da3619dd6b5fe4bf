import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** This package's version, from its package.json (found upward: the CLI runs from dist/cli or from cli/). */
export function packageVersion(from = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "eks-upgrade" && pkg.version) return pkg.version;
  }
  return "unknown";
}
