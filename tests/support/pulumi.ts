import { optionalTool } from "./optional-tool";
import { inTerminal } from "./terminal";
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./provider";
import { copyProject, PULUMI_VERSION, pulumiBinDir, throwawayPulumiEnv } from "../../cli/pulumi-project";

const HOW_TO =
  "run `npm run pulumi:install` (needs Go >= 1.25; about 10-15 minutes the first time) to build it";

/** The end-to-end suites need the real CLI (see optional-tool.ts: never a silent skip). */
export function requirePulumi(): { binDir: string } | { skip: string } {
  const r = optionalTool("pulumi", pulumiBinDir(), `no Pulumi CLI v${PULUMI_VERSION}: ${HOW_TO}`);
  return "value" in r ? { binDir: r.value } : r;
}

/** A command running in a pseudo-terminal: what it printed so far, and the terminal's ^C. */
export interface InTerminal {
  done: Promise<RunResult>;
  ctrlC: () => void;
  output: () => string;
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

  /** `example`: a project directory of the checkout (examples/fleet) instead of the root's (copyProject). */
  constructor(binDir: string, { example }: { example?: string } = {}) {
    this.root = mkdtempSync(join(tmpdir(), "eks-upgrade-e2e-"));
    this.dir = copyProject(ROOT, join(this.root, "project"), example);
    this.marker = `e2e-${process.pid}-${Date.now()}`;
    const env: NodeJS.ProcessEnv = { ...process.env };
    // Nothing of the caller's Pulumi or AWS setup leaks in; the emulator needs no credentials.
    for (const k of Object.keys(env)) if (/^(PULUMI_|AWS_)/.test(k)) delete env[k];
    this.env = { ...throwawayPulumiEnv(binDir, this.root, env), EKS_UPGRADE_E2E_MARKER: this.marker };
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
  runInTerminal(args: string[]): InTerminal {
    return this.inTerminal(["pulumi", ...args]);
  }

  /** Runs the eks-upgrade CLI in the project as a person at a terminal does, like runInTerminal. */
  cliInTerminal(args: string[]): InTerminal {
    return this.inTerminal([process.execPath, join(ROOT, "dist", "cli", "index.js"), ...args]);
  }

  private inTerminal(argv: string[]): InTerminal {
    let child: ChildProcess | undefined;
    let seen = "";
    const done = this.spawned(...inTerminal(argv), (c) => {
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
