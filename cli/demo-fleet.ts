import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pc from "picocolors";
import { startEmulator } from "../emulator/src/index";
import { CliError } from "./errors";
import {
  copyProject,
  pointExampleFleet,
  PULUMI_VERSION,
  pulumiBinDir,
  throwawayPulumiEnv,
} from "./pulumi-project";
import { packageRoot } from "./version";

/** The example fleet's 24-hour staging soak takes about 17 seconds. */
const FLEET_TIME_SCALE = 0.0002;
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
  const bin = pulumiBinDir();
  if (!bin)
    throw new CliError(
      `the fleet demo runs the real pulumi v${PULUMI_VERSION} and found none: run npm run pulumi:install in ${root} (about 10-15 minutes the first time), then npm run demo -- --fleet`,
    );
  const emulator = await startEmulator({
    seed: join(root, EXAMPLE, "seed.json"),
    timeScale: FLEET_TIME_SCALE,
  });
  const tmp = mkdtempSync(join(tmpdir(), "eks-upgrade-fleet-demo-"));
  try {
    // The example where it is in the checkout (its Pulumi.yaml's main is ../../), every stack to 1.36.
    const dir = copyProject(root, join(tmp, "project"), EXAMPLE);
    const stacks = pointExampleFleet(dir, emulator.url, "1.36");
    const env: NodeJS.ProcessEnv = {
      ...throwawayPulumiEnv(bin, tmp, process.env),
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "demo",
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "demo",
    };
    write(
      pc.bold(
        `eks-upgrade fleet demo — twelve clusters on an EKS emulator at ${emulator.url}, simulated time ${Math.round(1 / FLEET_TIME_SCALE)}x faster, the real pulumi, a throwaway project in ${dir}\n`,
      ),
    );
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
