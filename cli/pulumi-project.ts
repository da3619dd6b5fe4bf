import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";

/*
 * The real Pulumi CLI and throwaway copies of this project, for what runs it outside a user's own
 * project: the fleet demo, the end-to-end tests and the fleet benchmark.
 */

/** The Pulumi CLI version `npm run pulumi:install` builds; the same as the pinned @pulumi/pulumi. */
export const PULUMI_VERSION = "3.248.0";

/**
 * Where the Pulumi CLI, its Node.js language host and the dynamic-provider plugin are: the cache
 * `npm run pulumi:install` builds into, or a `pulumi` v3.248.0 on PATH. Undefined when neither is.
 */
export function pulumiBinDir(): string | undefined {
  const cache =
    process.env.EKS_UPGRADE_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "eks-upgrade");
  const built = join(cache, `pulumi-${PULUMI_VERSION}`, "bin");
  const complete = (dir: string) =>
    ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"].every((b) =>
      existsSync(join(dir, b)),
    );
  if (complete(built)) return built;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir || !existsSync(join(dir, "pulumi"))) continue;
    try {
      const version = execFileSync(join(dir, "pulumi"), ["version"], { encoding: "utf8" }).trim();
      if (version === `v${PULUMI_VERSION}` && complete(dir)) return dir;
    } catch {
      // not a working pulumi: keep looking
    }
  }
  return undefined;
}

/**
 * The environment of a throwaway project whose Pulumi files live under `root`, on top of `base`:
 * the pulumi in `binDir` first on PATH, its own Pulumi home and file backend (made here), an empty
 * passphrase, no update check and no plugin downloads.
 */
export function throwawayPulumiEnv(binDir: string, root: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  mkdirSync(join(root, "state"), { recursive: true });
  return {
    ...base,
    PATH: `${binDir}${delimiter}${base.PATH ?? ""}`,
    PULUMI_HOME: join(root, "home"),
    PULUMI_BACKEND_URL: `file://${join(root, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}

/**
 * A copy of the checkout at `root` in `top`: package.json and tsconfig.json copied, infra/,
 * providers/ and node_modules/ linked (the program and the compiled engine, as users run them),
 * and either the root's Pulumi.yaml or, with `example` (examples/fleet), that project's files at
 * the same place under `top`, so its Pulumi.yaml's `main: ../../` finds the program as in a clone.
 * Returns the project's directory.
 */
export function copyProject(root: string, top: string, example?: string): string {
  const dir = example ? join(top, example) : top;
  mkdirSync(dir, { recursive: true });
  for (const f of [...(example ? [] : ["Pulumi.yaml"]), "package.json", "tsconfig.json"])
    copyFileSync(join(root, f), join(top, f));
  for (const d of ["infra", "providers", "node_modules"]) symlinkSync(join(root, d), join(top, d));
  if (example)
    for (const f of readdirSync(join(root, example), { withFileTypes: true }))
      if (f.isFile()) copyFileSync(join(root, example, f.name), join(dir, f.name));
  return dir;
}

/**
 * The example fleet's stack files in `dir` pointed at an emulator at `url` (they say the default
 * 127.0.0.1:4599) and asking for `clusterVersion`. Returns the stacks.
 */
export function pointExampleFleet(dir: string, url: string, clusterVersion: string): string[] {
  const stacks = readdirSync(dir)
    .map((f) => /^Pulumi\.(local-[\w-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined);
  for (const stack of stacks) {
    const file = join(dir, `Pulumi.${stack}.yaml`);
    writeFileSync(
      file,
      readFileSync(file, "utf8")
        .replaceAll("http://127.0.0.1:4599", url)
        .replace(/clusterVersion: "1\.\d+"/, `clusterVersion: "${clusterVersion}"`),
    );
  }
  return stacks;
}
