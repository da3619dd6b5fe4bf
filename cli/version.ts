import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** This package's version, from its package.json (found upward: the CLI runs from dist/cli or from cli/). */
export function packageVersion(from = __dirname): string {
  const root = packageRoot(from);
  if (!root) return "unknown";
  return (
    (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: string }).version ??
    "unknown"
  );
}

/** The checkout's root (where eks-upgrade's package.json is), from dist/cli or cli/. */
export function packageRoot(from = __dirname): string | undefined {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
    if (pkg.name === "eks-upgrade" && pkg.version) return dir;
  }
  return undefined;
}
