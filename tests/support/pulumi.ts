import { optionalTool } from "./optional-tool";
import { inTerminal } from "./terminal";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { ROOT } from "./provider";

/** The Pulumi CLI version the toolchain builds; the same as the pinned @pulumi/pulumi. */
export const PULUMI_VERSION = "3.248.0";

const HOW_TO =
  "run `npm run pulumi:install` (needs Go >= 1.25; about 10-15 minutes the first time) to build it";

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

/** The end-to-end suites need the real CLI (see optional-tool.ts: never a silent skip). */
export function requirePulumi(): { binDir: string } | { skip: string } {
  const r = optionalTool("pulumi", pulumiBinDir(), `no Pulumi CLI v${PULUMI_VERSION}: ${HOW_TO}`);
  return "value" in r ? { binDir: r.value } : r;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr, in one. */
  output: string;
}

/**
 * A throwaway copy of this Pulumi project, with a local file backend and an empty passphrase, so
 * the suite never touches the checked-in stack files or anyone's Pulumi login. The copy holds
 * Pulumi.yaml, package.json, tsconfig.json and the stack files it is given; infra/, providers/ and
 * node_modules/ are links to the checkout (the program and the compiled engine, as users run them).
 */
export class PulumiProject {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Marks the processes this project starts (the CLI, its language host, provider hosts). */
  readonly marker: string;
  private readonly root: string;

  /**
   * `example`: a project directory of the checkout (examples/fleet), copied at the same place
   * under the copy's root, so its Pulumi.yaml's `main: ../../` finds the program as in a clone.
   */
  constructor(binDir: string, { example }: { example?: string } = {}) {
    this.root = mkdtempSync(join(tmpdir(), "eks-upgrade-e2e-"));
    const top = join(this.root, "project");
    this.dir = example ? join(top, example) : top;
    mkdirSync(this.dir, { recursive: true });
    mkdirSync(join(this.root, "state"));
    for (const f of [...(example ? [] : ["Pulumi.yaml"]), "package.json", "tsconfig.json"])
      copyFileSync(join(ROOT, f), join(top, f));
    for (const d of ["infra", "providers", "node_modules"]) symlinkSync(join(ROOT, d), join(top, d));
    if (example)
      for (const f of readdirSync(join(ROOT, example), { withFileTypes: true }))
        if (f.isFile()) copyFileSync(join(ROOT, example, f.name), join(this.dir, f.name));
    this.marker = `e2e-${process.pid}-${Date.now()}`;
    const env: NodeJS.ProcessEnv = { ...process.env };
    // Nothing of the caller's Pulumi or AWS setup leaks in; the emulator needs no credentials.
    for (const k of Object.keys(env)) if (/^(PULUMI_|AWS_)/.test(k)) delete env[k];
    this.env = {
      ...env,
      PATH: `${binDir}${delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: join(this.root, "home"),
      PULUMI_BACKEND_URL: `file://${join(this.root, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      EKS_UPGRADE_E2E_MARKER: this.marker,
    };
  }

  /** Copies a checked-in stack file into the project, as a user's clone has it. */
  addStackFile(name: string): string {
    const file = join(this.dir, name);
    copyFileSync(join(ROOT, name), file);
    return file;
  }

  file(name: string): string {
    return readFileSync(join(this.dir, name), "utf8");
  }

  /** Runs `pulumi <args>` in the project; resolves when it exits, whatever the code. */
  run(args: string[], onStart?: (child: ChildProcess) => void): Promise<RunResult> {
    return this.spawned("pulumi", [...args, "--non-interactive"], onStart);
  }

  private spawned(
    command: string,
    args: string[],
    onStart?: (child: ChildProcess) => void,
  ): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: this.dir, env: this.env });
      let stdout = "";
      let stderr = "";
      let output = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d;
        output += d;
      });
      child.stderr.on("data", (d: Buffer) => {
        stderr += d;
        output += d;
      });
      child.on("error", reject);
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, output }));
      onStart?.(child);
    });
  }

  /** Runs `pulumi <args>` as a person at a terminal does (terminal.ts): `ctrlC()` is the terminal's ^C. */
  runInTerminal(args: string[]): { done: Promise<RunResult>; ctrlC: () => void; output: () => string } {
    let child: ChildProcess | undefined;
    let seen = "";
    const done = this.spawned(...inTerminal(["pulumi", ...args]), (c) => {
      child = c;
      c.stdout?.on("data", (d: Buffer) => (seen += d));
    });
    return {
      done,
      ctrlC: () => child?.stdin?.write("\x03"),
      output: () => seen,
    };
  }

  /** Runs the eks-upgrade CLI in the project, with the project's Pulumi environment. */
  cli(args: string[], onStart?: (child: ChildProcess) => void): Promise<RunResult> {
    return this.spawned(process.execPath, [join(ROOT, "dist", "cli", "index.js"), ...args], onStart);
  }

  /** Like run, but a non-zero exit is an error carrying the output. */
  async ok(args: string[]): Promise<RunResult> {
    const r = await this.run(args);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.output}`);
    return r;
  }

  /** The ClusterUpgrade resource's outputs in the stack's state (`pulumi stack export`). */
  async upgradeState(stack: string): Promise<Record<string, unknown>> {
    const { stdout } = await this.ok(["stack", "export", "--stack", stack]);
    const deployment = JSON.parse(stdout) as {
      deployment: { resources?: { type: string; outputs?: Record<string, unknown> }[] };
    };
    const resource = deployment.deployment.resources?.find((r) => r.type.endsWith(":ClusterUpgrade"));
    if (!resource?.outputs) throw new Error(`stack ${stack} has no ClusterUpgrade in its state`);
    return resource.outputs;
  }

  /** PIDs of live processes started for this project (found by the marker in their environment). */
  processes(): number[] {
    const pids: number[] = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      try {
        if (readFileSync(`/proc/${entry}/environ`, "latin1").includes(this.marker)) pids.push(Number(entry));
      } catch {
        // gone meanwhile, or not ours to read
      }
    }
    return pids;
  }

  /** Removes the copy; stops any process of ours still running first (by PID). */
  dispose(): void {
    for (const pid of this.processes()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}
