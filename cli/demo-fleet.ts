import { execFileSync, spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import pc from "picocolors";
import { startEmulator } from "../emulator/src/index";
import { CliError } from "./errors";
import { packageRoot } from "./version";

/** The example fleet's 24-hour staging soak takes about 17 seconds. */
const FLEET_TIME_SCALE = 0.0002;
const PULUMI_VERSION = "v3.248.0";
const EXAMPLE = join("examples", "fleet");

/**
 * `npm run demo -- --fleet`: the example fleet (twelve stacks in dev, staging and prod) against an
 * embedded emulator, through the real `pulumi`: fleet status, the fleet plan to 1.36, a staged
 * rollout with one failure inside staging's budget (a drain a PodDisruptionBudget blocks), and the
 * status after. Everything lives in a throwaway copy of the example with its own file backend.
 */
export async function runFleetDemo(write: (s: string) => void): Promise<void> {
  const root = packageRoot();
  if (!root) throw new CliError("cannot find this checkout's root (examples/fleet)");
  const bin = pulumiOnPath(root);
  const emulator = await startEmulator({
    seed: join(root, EXAMPLE, "seed.json"),
    timeScale: FLEET_TIME_SCALE,
  });
  const tmp = mkdtempSync(join(tmpdir(), "eks-upgrade-fleet-demo-"));
  try {
    const dir = project(root, tmp, emulator.url);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: join(tmp, "home"),
      PULUMI_BACKEND_URL: `file://${join(tmp, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "demo",
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "demo",
    };
    mkdirSync(join(tmp, "state"));
    write(
      pc.bold(
        `eks-upgrade fleet demo — twelve clusters on an EKS emulator at ${emulator.url}, simulated time ${Math.round(1 / FLEET_TIME_SCALE)}x faster, the real pulumi, a throwaway project in ${dir}\n`,
      ),
    );
    const stacks = readdirSync(dir)
      .map((f) => /^Pulumi\.(local-[\w-]+)\.yaml$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined);
    for (const stack of stacks)
      execFileSync("pulumi", ["stack", "init", stack, "--non-interactive"], {
        cwd: dir,
        env,
        stdio: "ignore",
      });
    const cli = join(root, "dist", "cli", "index.js");
    const run = async (args: string[]) => {
      write(pc.bold(`\n$ eks-upgrade ${args.join(" ")}\n`));
      await new Promise<void>((resolve) =>
        spawn(process.execPath, [cli, ...args], { cwd: dir, env, stdio: "inherit" }).on("close", () =>
          resolve(),
        ),
      );
    };
    await run(["fleet", "status"]);
    await run(["fleet", "plan"]);
    // A drain a PodDisruptionBudget blocks, on one staging cluster: staging may lose one stack.
    emulator.injectFault({
      kind: "updateFailure",
      cluster: "fleet-staging-3",
      nodegroup: "general",
      errorCode: "PodEvictionFailure",
    });
    write(
      pc.dim(
        "\n(the emulator will fail fleet-staging-3's node group update: a drain a PodDisruptionBudget blocks)",
      ),
    );
    await run(["fleet", "up", "--yes"]);
    await run(["fleet", "status"]);
  } finally {
    await emulator.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The example in the same place under `tmp` as in the checkout (Pulumi.yaml's main: ../../), every stack at 1.36. */
function project(root: string, tmp: string, url: string): string {
  const top = join(tmp, "project");
  const dir = join(top, EXAMPLE);
  mkdirSync(dir, { recursive: true });
  for (const f of ["package.json", "tsconfig.json"]) copyFileSync(join(root, f), join(top, f));
  for (const d of ["infra", "providers", "node_modules"]) symlinkSync(join(root, d), join(top, d));
  for (const f of readdirSync(join(root, EXAMPLE), { withFileTypes: true })) {
    if (!f.isFile()) continue;
    const text = readFileSync(join(root, EXAMPLE, f.name), "utf8");
    writeFileSync(
      join(dir, f.name),
      f.name.startsWith("Pulumi.local-")
        ? text
            .replaceAll("http://127.0.0.1:4599", url)
            .replace(/clusterVersion: "1\.3\d"/, 'clusterVersion: "1.36"')
        : text,
    );
  }
  return dir;
}

/** Where a `pulumi` v3.248.0 is: the cache `npm run pulumi:install` builds, or PATH. */
function pulumiOnPath(root: string): string {
  const cache = join(
    process.env.EKS_UPGRADE_CACHE ??
      join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "eks-upgrade"),
    `pulumi-${PULUMI_VERSION.slice(1)}`,
    "bin",
  );
  const dirs = [cache, ...(process.env.PATH ?? "").split(delimiter)];
  for (const dir of dirs) {
    if (!dir || !existsSync(join(dir, "pulumi"))) continue;
    try {
      if (execFileSync(join(dir, "pulumi"), ["version"], { encoding: "utf8" }).trim() === PULUMI_VERSION)
        return dir;
    } catch {
      // not a working pulumi: keep looking
    }
  }
  throw new CliError(
    `the fleet demo runs the real pulumi ${PULUMI_VERSION} and found none: run npm run pulumi:install in ${root} (about 10-15 minutes the first time), then npm run demo -- --fleet`,
  );
}
