import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { promisify } from "node:util";
import catalogData from "../../emulator/data/eks-catalog.json";
import { type Emulator, startEmulator } from "../../emulator/src/index";
import { createClients, destroyClients, inspect, parseSpec } from "../../providers/engine/src/index";
import { callSummary, fleetSeed, TIME_SCALE } from "../support/engine";
import { ADDONS_1_35 } from "../support/emulator";
import { eventually } from "../support/eventually";
import { PROVIDER_ENV, ROOT } from "../support/provider";
import { inTerminal } from "../support/terminal";

const exec = promisify(execFile);

/** Bottlerocket's releases for 1.34 as AWS published them, oldest first (the catalog's data). */
const BOTTLEROCKET_1_34 = (catalogData as { amiReleases: { BOTTLEROCKET: Record<string, string[]> } })
  .amiReleases.BOTTLEROCKET["1.34"] as string[];

/** Findings wrap at 100 columns; their continuation lines are indented by six spaces. */
const joined = (text: string) => text.replace(/\n {6}/g, " ");
const BIN = join(ROOT, "dist", "cli", "index.js");

/** The cells of a table row (and of its continuation lines, up to the next border) by its first cell. */
function tableRow(text: string, first: string): string[][] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`│ ${first} `));
  const rows: string[][] = [];
  for (let i = start; i >= 0 && lines[i]?.startsWith("│"); i++)
    rows.push(
      (lines[i] as string)
        .split("│")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  return rows;
}

/** The widest line of an output, in columns. */
const widest = (text: string) => Math.max(...text.split("\n").map((l) => [...l].length));

/** Whole days since a date, as status counts them: against EKS's time, the emulator's (paused) clock. */
const ageInDays = (emulator: Emulator, date: string) =>
  Math.floor((emulator.world.clock.now() - Date.parse(date)) / 86_400_000);

/** Runs the built `eks-upgrade` binary, as users do; never throws, returns the exit code. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...PROVIDER_ENV, NO_COLOR: "1" },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/**
 * Starts the built CLI in the background, as a CI job or a second terminal runs it; in a
 * pseudo-terminal with `terminal` (terminal.ts), where its stdin is a TTY.
 */
function startCli(
  args: string[],
  { terminal = false, columns }: { terminal?: boolean; columns?: number } = {},
) {
  const argv = [process.execPath, BIN, ...args];
  const [command, commandArgs] = terminal
    ? inTerminal(argv, { columns })
    : [argv[0] as string, argv.slice(1)];
  const child = spawn(command, commandArgs, {
    cwd: ROOT,
    env: { ...process.env, ...PROVIDER_ENV, NO_COLOR: "1" },
  });
  let output = "";
  let stdout = "";
  // Decoded as a stream: a character split between two chunks stays whole.
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    output += d;
    stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { child, exited, output: () => output, stdout: () => stdout };
}

describe("eks-upgrade CLI against the emulator", () => {
  let emulator: Emulator;
  const target = () => ["--cluster", "demo", "--region", "us-east-1", "--endpoint", emulator.url];
  const mutating = () => emulator.audit().filter((e) => e.mutating);

  before(async () => {
    emulator = await startEmulator({
      seed: {
        ...fleetSeed({
          insights: [
            {
              name: "Deprecated APIs removed in Kubernetes v1.30",
              kubernetesVersion: "1.30",
              status: "WARNING",
            },
          ],
        }),
        timeScale: TIME_SCALE,
      },
    });
  });
  after(() => emulator.stop());
  beforeEach(() => emulator.reset());

  it("status: versions, support dates, add-ons against default and newest, node groups against the newest AMI, insights", async () => {
    emulator.pauseClock(); // ages are counted in EKS's time, which runs 10,000 times faster here
    const { code, stdout } = await cli("status", ...target());
    assert.equal(code, 0);
    assert.match(stdout, /Kubernetes 1\.29 \(platform eks\.\d+\), status ACTIVE/);
    assert.match(stdout, /End of standard support: 2025-03-23/);
    assert.match(stdout, /End of extended support: 2026-03-23/);
    const catalog = emulator.world.catalog;
    assert.match(
      stdout,
      new RegExp(
        `coredns\\s+│ v1\\.11\\.1-eksbuild\\.4\\s+│ ${catalog.defaultAddonVersion("coredns", "1.29")}`,
      ),
    );
    assert.deepEqual(tableRow(stdout, "general"), [
      [
        "general",
        "AL2023_x86_64_STANDARD",
        "1.29",
        "1.29.0-20240213",
        catalog.latestRelease("AL2023", "1.29"),
      ],
      ["", "", "", `${ageInDays(emulator, "2024-02-13")} days old`, ""],
    ]);
    assert.match(stdout, /WARNING Deprecated APIs removed in Kubernetes v1\.30 \(Kubernetes 1\.30\)/);
    assert.match(stdout, /Health issues\n {2}none/);
    // The same reading as JSON, for scripts.
    const json = await cli("status", ...target(), "--format", "json");
    assert.equal(json.code, 0, json.stderr);
    const status = JSON.parse(json.stdout) as {
      observed: { cluster: { version: string }; nodegroups: { name: string }[] };
      catalog: { latestReleases: Record<string, string | null> };
    };
    assert.equal(status.observed.cluster.version, "1.29");
    assert.ok(status.observed.nodegroups.some((n) => n.name === "general"));
    assert.equal(
      status.catalog.latestReleases["AL2023_x86_64_STANDARD@1.29"],
      catalog.latestRelease("AL2023", "1.29"),
    );
    const version = await cli("--version");
    assert.equal(version.code, 0);
    // The first line; a note about the Node.js runtime may follow (tested on its own below).
    assert.equal(version.stdout.split("\n")[0], "0.1.0");
    // The file itself runs, by its #! line, as npx and the generated workflow's steps run it
    // (npm marks a bin executable only if it exists at install time; the build writes it later).
    const direct = await exec(BIN, ["--version"], { cwd: ROOT });
    assert.equal(direct.stdout.split("\n")[0], "0.1.0");
    assert.deepEqual(mutating(), []);
  });

  it("status of a cluster as one meets it today: the newest AMI says running, a node group a minor behind says so, a Bottlerocket release has no age", async () => {
    const catalog = emulator.world.catalog;
    const newest = catalog.latestRelease("AL2023", "1.35") as string;
    emulator.reset({
      timeScale: TIME_SCALE,
      clusters: [
        {
          name: "demo",
          version: "1.35",
          addons: ADDONS_1_35,
          nodegroups: [
            { name: "general", amiType: "AL2023_x86_64_STANDARD", version: "1.35", releaseVersion: newest },
            {
              name: "batch",
              amiType: "BOTTLEROCKET_x86_64",
              version: "1.34",
              releaseVersion: "1.51.0-47438798",
            },
          ],
        },
      ],
    });
    emulator.pauseClock();
    const { code, stdout, stderr } = await cli("status", ...target());
    assert.equal(code, 0, stderr);
    assert.match(stdout, /Kubernetes 1\.35 \(platform eks\.\d+\), status ACTIVE/);
    const built = newest.slice(-8).replace(/(\d{4})(\d{2})(\d{2})/, "$1-$2-$3");
    assert.deepEqual(tableRow(stdout, "general"), [
      ["general", "AL2023_x86_64_STANDARD", "1.35", newest, "running"],
      ["", "", "", `${ageInDays(emulator, built)} days old`, ""],
    ]);
    assert.deepEqual(tableRow(stdout, "batch"), [
      [
        "batch",
        "BOTTLEROCKET_x86_64",
        "1.34",
        "1.51.0-47438798",
        catalog.latestRelease("BOTTLEROCKET", "1.35"),
      ],
      ["", "", "1 minor behind", "", ""],
    ]);
    assert.ok(widest(stdout) <= 100, `status off a terminal is at most 100 columns wide:\n${stdout}`);
    assert.deepEqual(mutating(), []);
  });

  it("Bottlerocket: apply never moves a node group back (1.51.0-47438798's build id is no date), status shows the newest AWS published", async () => {
    // The published Bottlerocket list for 1.34, oldest first (AWS's release notes; the catalog's data).
    const published = BOTTLEROCKET_1_34;
    assert.equal(published.at(-1), "1.58.0-c5c37032");
    emulator.reset({
      timeScale: TIME_SCALE,
      clusters: [
        {
          name: "demo",
          version: "1.34",
          addons: {},
          nodegroups: [
            {
              name: "top",
              amiType: "BOTTLEROCKET_x86_64",
              version: "1.34",
              releaseVersion: "1.58.0-c5c37032",
            },
            {
              name: "mid",
              amiType: "BOTTLEROCKET_x86_64",
              version: "1.34",
              releaseVersion: "1.54.0-5043decc",
            },
            {
              name: "old",
              amiType: "BOTTLEROCKET_ARM_64",
              version: "1.34",
              releaseVersion: "1.51.0-47438798",
            },
          ],
        },
      ],
    });
    emulator.pauseClock();
    const status = await cli("status", ...target());
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(tableRow(status.stdout, "top")[0], [
      "top",
      "BOTTLEROCKET_x86_64",
      "1.34",
      "1.58.0-c5c37032",
      "running",
    ]);
    assert.deepEqual(tableRow(status.stdout, "old")[0], [
      "old",
      "BOTTLEROCKET_ARM_64",
      "1.34",
      "1.51.0-47438798",
      "1.58.0-c5c37032",
    ]);
    emulator.resumeClock();

    const { code, stderr } = await cli("apply", ...target(), "--cluster-version", "1.34", "--yes");
    assert.equal(code, 0, stderr);
    assert.deepEqual(
      mutating().map((e) => [e.nodegroup, (e.params as { releaseVersion?: string }).releaseVersion]),
      [
        ["mid", "1.58.0-c5c37032"],
        ["old", "1.58.0-c5c37032"],
      ],
    );
    const releases = emulator.state().clusters[0]?.nodegroups.map((n) => [n.name, n.releaseVersion]);
    assert.deepEqual(releases, [
      ["top", "1.58.0-c5c37032"],
      ["mid", "1.58.0-c5c37032"],
      ["old", "1.58.0-c5c37032"],
    ]);
    const again = await cli("apply", ...target(), "--cluster-version", "1.34", "--yes");
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to do/);
  });

  it("Bottlerocket: a control-plane bump with latest lands the node group on the newest release of the new minor", async () => {
    emulator.reset({
      timeScale: TIME_SCALE,
      clusters: [
        {
          name: "demo",
          version: "1.33",
          addons: {},
          nodegroups: [
            {
              name: "br",
              amiType: "BOTTLEROCKET_x86_64",
              version: "1.33",
              releaseVersion: "1.49.0-713f44ce",
            },
          ],
        },
      ],
    });
    const { code, stderr } = await cli("apply", ...target(), "--cluster-version", "1.34", "--yes");
    assert.equal(code, 0, stderr);
    assert.deepEqual(
      emulator.state().clusters[0]?.nodegroups.map((n) => [n.version, n.releaseVersion]),
      [["1.34", BOTTLEROCKET_1_34.at(-1)]],
    );
  });

  it("a pinned release AWS does not publish is refused before any change: exit 2, the node group and the release named", async () => {
    // Add-ons behind, so a run that refused only at the node group would already have moved them.
    const oldestVpcCni = emulator.world.catalog
      .addonVersions("vpc-cni")
      .find((v) => v.compatibleWith.has("1.33") && v.compatibleWith.has("1.34"))?.version as string;
    emulator.reset({
      timeScale: TIME_SCALE,
      clusters: [
        {
          name: "demo",
          version: "1.33",
          addons: { "vpc-cni": oldestVpcCni },
          nodegroups: [
            {
              name: "br",
              amiType: "BOTTLEROCKET_x86_64",
              version: "1.33",
              releaseVersion: "1.51.0-47438798",
            },
            { name: "general", amiType: "AL2023_x86_64_STANDARD", version: "1.33" },
          ],
        },
      ],
    });
    const cases: [string, RegExp][] = [
      [
        "br=9.99.0-deadbeef",
        /EKSUP018 --ami-release-version br=<release>: 9\.99\.0-deadbeef does not exist for BOTTLEROCKET_x86_64 on Kubernetes 1\.34: the newest published release is 1\.58\.0-c5c37032/,
      ],
      [
        "br=1.60.0-20260101",
        /EKSUP018 --ami-release-version br=<release>: 1\.60\.0-20260101 does not exist for BOTTLEROCKET_x86_64 on Kubernetes 1\.34/,
      ],
      [
        "br=1.52.0-0badc0de",
        /EKSUP018 --ami-release-version br=<release>: 1\.52\.0-0badc0de is not a published BOTTLEROCKET_x86_64 release for Kubernetes 1\.34 \(newest: 1\.58\.0-c5c37032\)/,
      ],
      [
        "general=1.34.9-20260701",
        /EKSUP018 --ami-release-version general=<release>: 1\.34\.9-20260701 is not a published AL2023_x86_64_STANDARD release for Kubernetes 1\.34/,
      ],
      [
        "general=1.34.9-20261301",
        /EKSUP007 --ami-release-version general=<release>: 1\.34\.9-20261301 is not a release of node group general's AMI family \(AL2023/,
      ],
    ];
    for (const [pin, finding] of cases) {
      for (const args of [["plan"], ["apply", "--yes"]]) {
        const run = await cli(
          ...args,
          ...target(),
          "--cluster-version",
          "1.34",
          "--ami-release-version",
          pin,
        );
        assert.equal(run.code, 2, `${args[0]} ${pin}: ${run.stderr}`);
        assert.match(joined(run.stdout), finding, `${args[0]} ${pin}`);
      }
    }
    assert.deepEqual(mutating(), []);
    // A published one is taken: the run ends on it.
    const ok = await cli(
      "apply",
      ...target(),
      "--cluster-version",
      "1.34",
      "--ami-release-version",
      "br=1.54.0-5043decc",
      "--yes",
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(emulator.state().clusters[0]?.nodegroups[0]?.releaseVersion, "1.54.0-5043decc");
  });

  it("support windows come from EKS (DescribeClusterVersions): status and plan show what it reports", async () => {
    // A catalog whose calendar differs from the real one: the CLI must show these dates, not its own.
    emulator.reset({
      ...fleetSeed({ supportType: "STANDARD" }),
      timeScale: TIME_SCALE,
      catalog: {
        kubernetesVersions: [
          {
            version: "1.29",
            releasedOn: "2024-01-23",
            endOfStandardSupport: "2027-01-10",
            endOfExtendedSupport: "2028-01-10",
          },
          {
            version: "1.30",
            releasedOn: "2024-05-23",
            endOfStandardSupport: "2025-07-23",
            endOfExtendedSupport: "2027-07-23",
          },
        ],
      },
    });
    const status = await cli("status", ...target());
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Support: STANDARD_SUPPORT \(upgrade policy STANDARD\)/);
    assert.match(status.stdout, /End of standard support: 2027-01-10 \(in \d+ days\)/);
    assert.match(status.stdout, /End of extended support: 2028-01-10/);
    const planned = await cli("plan", ...target(), "--cluster-version", "1.30");
    assert.equal(planned.code, 0, planned.stderr);
    // The support line wraps with a two-space indent.
    const support = joined(planned.stdout).replace(/\n {2}(?! )/g, " ");
    assert.match(
      support,
      /EKS support: 1\.29 \(standard support until 2027-01-10\) -> 1\.30 \(extended support until 2027-07-23\)/,
    );
    assert.match(
      support,
      /EKSUP105 --cluster-version: Kubernetes 1\.30 is in extended support \(standard support ended 2025-07-23, extended ends 2027-07-23\): extended support is billed per cluster hour, and with this cluster's upgrade policy STANDARD, EKS upgrades it to the next minor by itself/,
    );
    assert.ok(
      emulator.audit().some((e) => e.operation === "DescribeClusterVersions"),
      "the dates were read from EKS",
    );
    assert.deepEqual(mutating(), []);
  });

  it("off a terminal the plan table is 100 columns wide, every step on its rows", async () => {
    const { code, stdout } = await cli("plan", ...target(), "--cluster-version", "1.31");
    assert.equal(code, 0);
    assert.equal(widest(stdout), 100);
    assert.match(stdout, /│ \d+\s+│ \d+\s+│ control plane\s+│ 1\.29 -> 1\.30\s+│ 10\s+│/);
  });

  it("plan and status fit the terminal's width (80, 132): the plan fills it, nothing is cut, versions wrap at their dashes", async () => {
    for (const columns of [80, 132]) {
      for (const args of [["plan", "--cluster-version", "1.31"], ["status"]]) {
        const run = startCli([...args, ...target()], { terminal: true, columns });
        assert.equal(await run.exited, 0, run.output());
        const text = run.output().replace(/\r/g, "");
        const wide = widest(text);
        // The plan's reasons take the room left; status is as wide as its cells, at most the terminal.
        assert.ok(
          args[0] === "plan" ? wide === columns : wide <= columns,
          `${args[0]} at ${columns} columns is ${wide} wide:\n${text}`,
        );
        // cli-table3 would cut a long word with "…"; every cell wraps instead.
        assert.doesNotMatch(text, /…/);
      }
    }
    // At 80 columns a release wraps after its dash, whole: 1.29.0- / 20240213 in the node group table.
    const status = startCli(["status", ...target()], { terminal: true, columns: 80 });
    await status.exited;
    assert.match(status.output(), /│ 1\.29\.0-\s+│[^\n]*\n│[^\n]*│ 20240213\s+│/);
  });

  it("plan --format json is the engine's plan for the same input", async () => {
    const { code, stdout } = await cli(
      "plan",
      ...target(),
      "--to",
      "1.31",
      "--addons",
      "coredns=latest",
      "--format",
      "json",
    );
    assert.equal(code, 0);
    const spec = parseSpec({
      clusterName: "demo",
      region: "us-east-1",
      endpoints: { eks: emulator.url, ssm: emulator.url },
      clusterVersion: "1.31",
      addons: { coredns: "latest" },
    });
    const clients = createClients(spec, { credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    const { plan } = await inspect(clients, spec);
    destroyClients(clients);
    // The same plan, made a moment apart: everything but when it was made is equal.
    const cliPlan = JSON.parse(stdout) as typeof plan;
    assert.ok(Date.parse(cliPlan.madeAt) <= Date.parse(plan.madeAt));
    assert.deepEqual({ ...cliPlan, madeAt: plan.madeAt }, JSON.parse(JSON.stringify(plan)));
    assert.ok(plan.steps.length > 5);
  });

  it("plan --format markdown lists every step, ready for a pull request", async () => {
    const { stdout } = await cli("plan", ...target(), "--to", "1.31", "--format", "json");
    const plan = JSON.parse(stdout) as { steps: { kind: string; target: string; to: string }[] };
    const md = (await cli("plan", ...target(), "--to", "1.31", "--format", "markdown")).stdout;
    assert.match(md, /^### EKS upgrade plan: `demo` 1\.29 → 1\.31/);
    assert.match(
      md,
      /\*\*Estimated duration:\*\* \d+ steps, ~\d+ min \(the add-ons of one phase together, node groups one at a time\)\./,
    );
    for (const s of plan.steps)
      assert.ok(
        md.includes(`\`${s.to}\``) && (s.kind === "controlPlane" || md.includes(`\`${s.target}\``)),
        `${s.target} -> ${s.to}`,
      );
    assert.equal(md.split("\n").filter((l) => /^\| \d+ \|/.test(l)).length, plan.steps.length);
    // Words that say what happens: node groups one at a time at concurrency 1; add-ons climb the
    // series EKS offers, which are not always one minor version apart.
    assert.match(md, /\(the add-ons of one phase together, node groups one at a time\)/);
    const two = (await cli("plan", ...target(), "--to", "1.31", "--format", "markdown", "--concurrency", "2"))
      .stdout;
    assert.match(two, /node groups 2 at a time\)/);
    assert.match(md, /one offered version series at a time toward v/);
    assert.doesNotMatch(md, /one minor version at a time toward/);
  });

  it("a downgrade exits 2 with the violation, and nothing changes", async () => {
    for (const args of [["plan"], ["apply", "--yes"]]) {
      const command = args.join(" ");
      const { code, stdout, stderr } = await cli(...args, ...target(), "--to", "1.28");
      assert.equal(code, 2, `${command}: ${stderr}`);
      assert.match(stdout, /EKSUP001 --cluster-version: 1\.28 is lower than the control plane's 1\.29/);
      assert.match(stdout, /remedy: Set --cluster-version to the running version or higher/);
    }
    assert.deepEqual(mutating(), []);
  });

  it("--ami-release-version and --launch-template-version pin node groups; findings name those flags", async () => {
    // general runs 1.29.0-20240213: an older pin is a downgrade.
    const down = await cli(
      "plan",
      ...target(),
      "--cluster-version",
      "1.29",
      "--ami-release-version",
      "general=1.29.0-20240129",
    );
    assert.equal(down.code, 2, down.stderr);
    assert.match(
      joined(down.stdout),
      /EKSUP006 --ami-release-version general=<release>: node group general runs 1\.29\.0-20240213; 1\.29\.0-20240129 would be a downgrade/,
    );
    const noTemplate = await cli(
      "plan",
      ...target(),
      "--cluster-version",
      "1.29",
      "--launch-template-version",
      "arm=4",
    );
    assert.equal(noTemplate.code, 2, noTemplate.stderr);
    assert.match(
      joined(noTemplate.stdout),
      /EKSUP016 --launch-template-version arm=<version>: node group arm was not created with a launch template/,
    );
    const pinned = await cli(
      "plan",
      ...target(),
      "--cluster-version",
      "1.29",
      "--ami-release-version",
      "general=latest",
      "--format",
      "json",
    );
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.ok(
      (JSON.parse(pinned.stdout) as { steps: { target: string }[] }).steps.some(
        (s) => s.target === "general",
      ),
    );
    assert.deepEqual(mutating(), []);
  });

  it("SIGTERM (a cancelled CI job) stops apply between polls, names what still runs in EKS, exits 130; a re-run resumes (--format json says which update goes on)", async () => {
    emulator.reset();
    const applyTo130 = (scale: number) => [
      "apply",
      ...target(),
      "--cluster-version",
      "1.30",
      "--yes",
      "--format",
      "json",
      "--time-scale",
      String(scale),
    ];
    type Result = {
      outcome: string;
      exitCode: number;
      steps: { id: string; status: string; updateId?: string }[];
    };
    const { child, exited, output, stdout } = startCli(applyTo130(TIME_SCALE * 20));
    await eventually(() => mutating().some((e) => e.operation === "UpdateClusterVersion"));
    child.kill("SIGTERM");
    assert.equal(await exited, 130, output());
    assert.match(output(), /SIGTERM: stopping after the current poll/);
    assert.match(output(), /still running in EKS: controlPlane:1\.30 \(update [\w-]+\)/);
    const updateId = mutating().find((e) => e.operation === "UpdateClusterVersion")?.updateId;
    const stopped = JSON.parse(stdout()) as Result;
    assert.deepEqual([stopped.outcome, stopped.exitCode], ["stopped", 130]);
    const step = (r: Result) => r.steps.find((s) => s.id === "controlPlane:1.30");
    assert.deepEqual(step(stopped), { ...step(stopped), status: "running", updateId }, "it goes on in EKS");
    const first = callSummary(mutating());
    const again = await cli(...applyTo130(TIME_SCALE));
    assert.equal(again.code, 0, again.stderr);
    const all = callSummary(mutating());
    assert.equal(
      all.filter((c) => c === "controlPlane 1.30").length,
      1,
      "the control-plane update is awaited, not issued again",
    );
    assert.deepEqual(all.slice(0, first.length), first);
    assert.equal((JSON.parse(again.stdout) as Result).outcome, "done");
  });

  /** Starts `apply` to 1.30; resolves once its control-plane update is in flight, held there by the emulator's clock. */
  async function applyHeldAtControlPlane() {
    // Its waits paced as at 0.005 (a 60-minute deadline is 18 real seconds): the second process
    // that pauses the cluster starts well within it.
    const run = startCli([
      "apply",
      ...target(),
      "--cluster-version",
      "1.30",
      "--yes",
      "--time-scale",
      "0.005",
    ]);
    assert.ok(await eventually(() => mutating().some((e) => e.operation === "UpdateClusterVersion")));
    emulator.pauseClock();
    const until = async (re: RegExp) => {
      await eventually(() => re.test(run.output()));
      assert.match(run.output(), re);
    };
    return { ...run, until };
  }

  it("Ctrl-C once stops apply after the step in flight: that step ends, nothing starts after it, exit 130; a re-run finishes without repeating", async () => {
    const run = await applyHeldAtControlPlane();
    run.child.kill("SIGINT");
    await run.until(/stopping after controlPlane:1\.30: SIGINT received/);
    emulator.resumeClock();
    assert.equal(await run.exited, 130, run.output());
    assert.match(run.output(), /SIGINT: stopping after the step in flight/);
    assert.match(run.output(), /done {5}controlPlane:1\.30/);
    assert.match(
      joined(run.output()),
      /upgrade stopped after the steps in flight: SIGINT received\. \d+ of \d+ steps done \(the last: controlPlane:1\.30\)/,
    );
    const first = callSummary(mutating());
    assert.equal(first.at(-1), "controlPlane 1.30", "nothing was issued after the step in flight");
    assert.equal(emulator.state().clusters[0]?.version, "1.30");
    const again = await cli("apply", ...target(), "--cluster-version", "1.30", "--yes");
    assert.equal(again.code, 0, again.stderr);
    const all = callSummary(mutating());
    assert.deepEqual(all.slice(0, first.length), first);
    assert.equal(new Set(all).size, all.length, `no update issued twice:\n${all.join("\n")}`);
  });

  it("pause from a second process stops a running apply after its step in flight, naming who and why; plan refuses and status shows it until resume", async () => {
    const bad = await cli("pause", ...target(), "--reason", "budget, see #42");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--reason: ",", "#" cannot be in an AWS tag value/);
    assert.deepEqual(mutating(), []);

    const run = await applyHeldAtControlPlane();
    const paused = await cli("pause", ...target(), "--reason", "error budget burn: incident 42");
    assert.equal(paused.code, 0, paused.stderr);
    const who =
      /cluster demo paused by (arn:aws:iam::\d{12}:\S+) at (\S+Z): error budget burn: incident 42/.exec(
        paused.stdout,
      );
    assert.ok(who, paused.stdout);
    await run.until(/stopping after controlPlane:1\.30: cluster demo is paused by/);
    emulator.resumeClock();
    assert.equal(await run.exited, 130, run.output());
    assert.ok(
      joined(run.output()).includes(
        `upgrade stopped after the steps in flight: cluster demo is paused by ${who[1]} at ${who[2]}: error budget burn: incident 42.`,
      ),
      run.output(),
    );
    const calls = callSummary(mutating());
    const tagged = calls.findIndex((c) => c.startsWith("tag demo "));
    assert.deepEqual(calls.slice(tagged + 1), [], "no update was issued after the pause");
    assert.equal(calls[tagged - 1], "controlPlane 1.30");

    const plan = await cli("plan", ...target(), "--cluster-version", "1.30");
    assert.equal(plan.code, 2, plan.stdout);
    assert.match(joined(plan.stdout), /EKSUP033 --cluster: cluster demo is paused by arn:aws:iam::/);
    // A rollback is refused too: nothing moves while paused.
    const rollback = await cli("rollback", ...target());
    assert.equal(rollback.code, 2, rollback.stdout);
    assert.match(joined(rollback.stdout), /EKSUP033 --cluster: cluster demo is paused by arn:aws:iam::/);
    const status = await cli("status", ...target());
    assert.match(
      status.stdout,
      /Upgrades paused by arn:aws:iam::\d{12}:\S+ at \S+Z: error budget burn: incident 42/,
    );

    const resumed = await cli("resume", ...target());
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /cluster demo resumed \(it was paused by arn:aws:iam::/);
    assert.match((await cli("resume", ...target())).stdout, /cluster demo is not paused: nothing to do/);
    const again = await cli("apply", ...target(), "--cluster-version", "1.30", "--yes");
    assert.equal(again.code, 0, again.stderr);
    const updates = callSummary(mutating()).filter((c) => !/^(un)?tag /.test(c));
    assert.equal(new Set(updates).size, updates.length, `no update issued twice:\n${updates.join("\n")}`);
  });

  it("--only nodegroup:general plans and applies exactly that step, the rest kept as it runs; a selection the order would break, or a flag for a target left out, is refused (exit 2)", async () => {
    const plan = await cli("plan", ...target(), "--only", "nodegroup:general", "--format", "json");
    assert.equal(plan.code, 0, plan.stderr);
    const steps = (JSON.parse(plan.stdout) as { steps: { id: string }[] }).steps.map((s) => s.id);
    assert.deepEqual(steps, ["nodegroup:general:1.29"], "the target defaults to the running minor");
    const applied = await cli("apply", ...target(), "--only", "nodegroup:general", "--yes");
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual(callSummary(mutating()), ["nodegroup general 1.29"]);

    const moves = await cli("plan", ...target(), "--only", "control-plane", "--cluster-version", "1.30");
    assert.equal(moves.code, 2, moves.stdout);
    assert.match(
      joined(moves.stdout),
      /EKSUP034 --only: the plan also needs steps --only leaves out: .*nodegroup:general:1\.30 \(current: it must follow the control plane to 1\.30, so it takes that minor's newest release\)/,
    );
    const contradiction = await cli(
      "plan",
      ...target(),
      "--only",
      "nodegroup:general",
      "--ami-release-version",
      "arm=latest",
    );
    assert.equal(contradiction.code, 2);
    assert.match(
      contradiction.stderr,
      /--only leaves nodegroup:arm out, but --ami-release-version names it: add --only nodegroup:arm/,
    );
    const bad = await cli("plan", ...target(), "--only", "nodegroups:general");
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /--only nodegroups:general: expected control-plane, addon:<name> or nodegroup:<name>/,
    );
    assert.deepEqual(callSummary(mutating()), ["nodegroup general 1.29"], "nothing else was changed");
  });

  it("operational errors end as findings naming the flag, exit 1: unknown cluster, denied call, unreachable endpoint", async () => {
    const unknown = await cli(
      "plan",
      "--cluster",
      "nope",
      "--region",
      "us-east-1",
      "--endpoint",
      emulator.url,
      "--cluster-version",
      "1.30",
    );
    assert.equal(unknown.code, 1, unknown.stderr);
    assert.match(
      unknown.stderr,
      /EKSUP201 --cluster: no EKS cluster nope in us-east-1 \(endpoint http:\/\/127\.0\.0\.1:\d+\) in account 111122223333\. Check --cluster and --region/,
    );
    emulator.injectFault({ kind: "accessDenied", operations: ["DescribeCluster"], count: 1 });
    const denied = await cli("status", ...target());
    assert.equal(denied.code, 1, denied.stderr);
    assert.match(
      denied.stderr,
      /EKSUP202 --cluster: eks:DescribeCluster was denied in us-east-1 .*docs\/iam-policy\.json/,
    );
    const unreachable = await cli(
      "status",
      "--cluster",
      "demo",
      "--region",
      "us-east-1",
      "--endpoint",
      "http://127.0.0.1:9",
    );
    assert.equal(unreachable.code, 1, unreachable.stderr);
    assert.match(
      unreachable.stderr,
      /EKSUP205 --endpoint: cannot reach EKS in us-east-1 \(endpoint http:\/\/127\.0\.0\.1:9\): ECONNREFUSED/,
    );
    assert.deepEqual(mutating(), []);
  });

  it("apply --yes reaches the target: control plane, then add-ons, then node groups", async () => {
    const applyTo130 = () =>
      cli("apply", ...target(), "--to", "1.30", "--yes", "--time-scale", String(TIME_SCALE));
    const { code, stdout, stderr } = await applyTo130();
    assert.equal(code, 0, stderr);
    const calls = callSummary(mutating());
    const cp = calls.indexOf("controlPlane 1.30");
    const firstNode = calls.findIndex((c) => c.startsWith("nodegroup"));
    assert.ok(cp >= 0 && firstNode > cp, calls.join("\n"));
    assert.ok(
      calls.slice(cp + 1, firstNode).every((c) => c.startsWith("addon")) &&
        calls.slice(firstNode).every((c) => c.startsWith("nodegroup")),
    );
    const state = emulator.state().clusters[0];
    assert.equal(state?.version, "1.30");
    assert.ok(state?.nodegroups.every((n) => n.version === "1.30"));
    // Not a terminal: plain progress lines, then the summary.
    assert.match(stdout, /^started {2}controlPlane:1\.30: 1\.29 -> 1\.30 \(update [\w-]+\)$/m);
    assert.match(stdout, /^done {5}controlPlane:1\.30 in \d+m\d+s$/m);
    assert.match(stdout, /control plane\s+│ 1\.29\s+│ 1\.30/);
    const again = await applyTo130();
    assert.equal(again.code, 0);
    assert.match(again.stdout, /Nothing to do/);
  });

  it("apply --format json: one result on stdout for a run, a refusal and a failure; the plan and progress on stderr", async () => {
    type Result = {
      outcome: string;
      exitCode: number;
      error?: string;
      steps: { id: string; status: string; updateId?: string; durationSeconds?: number }[];
      violations: { code: string; key: string; remedy: string }[];
      failures: { code: string; stepId: string; remedy: string }[];
      versions: {
        before?: { controlPlane: string };
        after?: { controlPlane: string; nodeGroups: Record<string, { version: string }> };
      };
    };
    const json = async (...args: string[]) => {
      const r = await cli(
        "apply",
        ...target(),
        "--yes",
        "--format",
        "json",
        "--time-scale",
        String(TIME_SCALE),
        ...args,
      );
      // stdout is the one JSON document, nothing else.
      return { ...r, result: JSON.parse(r.stdout) as Result };
    };

    // A run: every step updated, with the update EKS was asked for (the emulator's audit).
    const run = await json("--to", "1.30");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.result.outcome, "done");
    assert.match(run.stderr, /Upgrade plan for demo: 1\.29 -> 1\.30/);
    assert.match(run.stderr, /^done {5}controlPlane:1\.30 in /m);
    // (add-ons of one phase start together: compared as sets)
    const issued = mutating().map((e) => e.updateId);
    assert.deepEqual(
      run.result.steps.map((s) => `${s.status} ${s.updateId}`).sort(),
      issued.map((id) => `updated ${id}`).sort(),
    );
    assert.ok(run.result.steps.every((s) => typeof s.durationSeconds === "number"));
    assert.equal(run.result.versions.before?.controlPlane, "1.29");
    assert.equal(run.result.versions.after?.controlPlane, emulator.state().clusters[0]?.version);

    // A refusal: exit 2, the violation with the flag that names its key, nothing changed.
    const before = mutating().length;
    const refused = await json("--to", "1.29");
    assert.equal(refused.code, 2);
    assert.equal(refused.result.outcome, "refused");
    assert.equal(refused.result.violations[0]?.code, "EKSUP001");
    assert.equal(refused.result.violations[0]?.key, "--cluster-version");
    assert.doesNotMatch(refused.result.violations[0]?.remedy ?? "", /\{\{/, "keys rendered as flags");
    assert.equal(mutating().length, before);

    // A failure: the failed step, what ran before it, what did not start, the versions it left.
    emulator.injectFault({
      kind: "updateFailure",
      cluster: "demo",
      nodegroup: "general",
      errorCode: "PodEvictionFailure",
    });
    const failed = await json("--to", "1.31");
    assert.equal(failed.code, 1, failed.stderr);
    assert.equal(failed.result.outcome, "failed");
    assert.match(failed.result.error ?? "", /step nodegroup:general:1\.31 failed: PodEvictionFailure/);
    assert.deepEqual(
      failed.result.failures.map((f) => [f.stepId, f.code]),
      [["nodegroup:general:1.31", "PodEvictionFailure"]],
    );
    const status = Object.fromEntries(failed.result.steps.map((s) => [s.id, s.status]));
    assert.equal(status["controlPlane:1.31"], "updated");
    assert.equal(status["nodegroup:general:1.31"], "failed");
    const left = Object.entries(failed.result.versions.after?.nodeGroups ?? {}).map(([n, v]) => [
      n,
      v.version,
    ]);
    assert.deepEqual(
      Object.fromEntries(left),
      Object.fromEntries((emulator.state().clusters[0]?.nodegroups ?? []).map((n) => [n.name, n.version])),
      "the versions it left are what EKS runs",
    );
    assert.ok(
      left.some(([, v]) => v === "1.30"),
      "general stayed behind",
    );
  });

  it("apply --bake-hours: the control plane moves, node groups wait; a later run after the bake moves them", async () => {
    const applyBaked = () =>
      cli(
        "apply",
        ...target(),
        "--to",
        "1.30",
        "--bake-hours",
        "12",
        "--yes",
        "--time-scale",
        String(TIME_SCALE),
      );
    const first = await applyBaked();
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      joined(first.stdout),
      /EKSUP111 --bake-hours: 3 node group updates and \d+ other steps? wait until the control plane has run 1\.30 for 12 hours: run again 12 hours after it gets there/,
    );
    assert.ok(!callSummary(mutating()).some((c) => c.startsWith("nodegroup")), "no node group moved");
    assert.equal(emulator.state().clusters[0]?.version, "1.30");
    const waiting = await applyBaked();
    assert.equal(waiting.code, 0, waiting.stderr);
    assert.match(waiting.stdout, /Nothing to do/);
    assert.match(
      joined(waiting.stdout),
      /EKSUP111 --bake-hours: .* for 12 hours, until \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
    );
    emulator.advanceClock(12 * 3600);
    const later = await applyBaked();
    assert.equal(later.code, 0, later.stderr);
    assert.ok(emulator.state().clusters[0]?.nodegroups.every((n) => n.version === "1.30"));
  });

  it("rollback: the plan by default, --yes runs it in order; a wrong --to is refused naming the flag", async () => {
    emulator.reset({
      timeScale: TIME_SCALE,
      clusters: [
        {
          name: "demo",
          version: "1.35",
          lastUpgradedAt: new Date(Date.now() - 86_400_000).toISOString(),
          addons: { "vpc-cni": "v1.22.3-eksbuild.1" },
          nodegroups: [
            { name: "general", amiType: "AL2023_x86_64_STANDARD", version: "1.35", desiredSize: 2 },
          ],
        },
      ],
    });
    const planned = await cli("rollback", ...target());
    assert.equal(planned.code, 0, planned.stderr);
    assert.match(planned.stdout, /Rollback plan for demo: 1\.35 -> 1\.34/);
    assert.match(planned.stdout, /This is the plan: run again with --yes to roll back\./);
    assert.deepEqual(mutating(), []);
    const wrong = await cli("rollback", ...target(), "--to", "1.33", "--yes");
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(joined(wrong.stdout), /EKSUP022 --to: cluster demo can only roll back to 1\.34/);
    assert.deepEqual(mutating(), []);
    const run = await cli("rollback", ...target(), "--yes", "--time-scale", String(TIME_SCALE));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(callSummary(mutating()), [
      "nodegroup general 1.34",
      "addon vpc-cni v1.22.2-eksbuild.1",
      "controlPlane 1.34",
    ]);
    assert.match(run.stdout, /^done {5}controlPlane:rollback:1\.34 in \d+m\d+s$/m);
    assert.equal(emulator.state().clusters[0]?.version, "1.34");
  });

  it("apply asks before anything is written: no terminal, a declined answer and a refused plan make no call at all, not even StartInsightsRefresh", async () => {
    const writes = () => emulator.audit().filter((e) => e.mutating || e.operation === "StartInsightsRefresh");
    const { code, stderr } = await cli("apply", ...target(), "--to", "1.30");
    assert.equal(code, 2);
    assert.match(stderr, /--yes is required when stdin is not a terminal/);
    const refused = await cli(
      "apply",
      ...target(),
      "--to",
      "1.30",
      "--ami-release-version",
      "general=1.29.0-20240101",
    );
    assert.equal(refused.code, 2, refused.stdout);
    // At a terminal (a pseudo-terminal, util-linux script), answering "n".
    const declined = startCli(["apply", ...target(), "--to", "1.30"], { terminal: true });
    const asked = await eventually(() => declined.output().includes("[y/N]"));
    // Bounded: a prompt never seen fails the test instead of hanging it.
    if (asked) declined.child.stdin.write("n\r");
    else declined.child.kill("SIGKILL");
    assert.equal(await declined.exited, 0, declined.output());
    assert.match(declined.output(), /Apply these \d+ steps to cluster demo\? \[y\/N\] /);
    assert.match(declined.output(), /not confirmed: nothing was changed/);
    assert.deepEqual(writes(), []);
  });

  it("apply --yes refreshes the insights after the plan is shown and before the first change", async () => {
    const r = await cli("apply", ...target(), "--to", "1.30", "--yes");
    assert.equal(r.code, 0, r.stderr);
    const ops = emulator.audit().map((e) => (e.mutating ? "change" : e.operation));
    assert.ok(
      ops.includes("StartInsightsRefresh") && ops.indexOf("StartInsightsRefresh") < ops.indexOf("change"),
    );
    assert.ok(
      r.stdout.indexOf("Upgrade plan for demo") < r.stdout.indexOf("refreshing the upgrade insights"),
    );
  });

  it("a failure during apply exits 1 with the step, the code and the remedy", async () => {
    emulator.injectFault({
      kind: "updateFailure",
      cluster: "demo",
      nodegroup: "general",
      errorCode: "PodEvictionFailure",
      unlessForce: true,
    });
    const { code, stderr } = await cli(
      "apply",
      ...target(),
      "--to",
      "1.29",
      "--yes",
      "--time-scale",
      String(TIME_SCALE),
    );
    assert.equal(code, 1);
    assert.match(
      stderr,
      /step nodegroup:general:1\.29 failed: PodEvictionFailure: .*replace the nodes anyway with --force general/,
    );
    const forced = await cli(
      "apply",
      ...target(),
      "--to",
      "1.29",
      "--yes",
      "--force",
      "general",
      "--time-scale",
      String(TIME_SCALE),
    );
    assert.equal(forced.code, 0, forced.stderr);
  });

  it("bad arguments name the argument and what it accepts", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["plan", ...target(), "--to", "1.31", "--format", "xml"],
        /argument 'xml' is invalid\. Allowed choices are table, markdown, json/,
      ],
      [
        ["plan", ...target(), "--cluster-version", "v1.31"],
        /--cluster-version v1\.31: must be a Kubernetes minor like 1\.31 \(major 1, no "v", no patch\)$/m,
      ],
      // On the command line there is no YAML to quote.
      [
        ["plan", ...target(), "--cluster-version", "1.3"],
        /--cluster-version 1\.3: must be a Kubernetes minor like 1\.31 \(major 1, no "v", no patch\)$/m,
      ],
      [["plan", ...target(), "--to", "2.0"], /--to 2\.0: must be a Kubernetes minor like 1\.31/],
      [["plan", ...target(), "--to", "1.31", "--concurrency", "0"], /--concurrency: /],
      [
        ["plan", ...target(), "--to", "1.31", "--addons", "coredns"],
        /--addons: expected name=value pairs separated by commas/,
      ],
      [
        ["plan", ...target(), "--to", "1.31", "--insights", "ignore"],
        /argument 'ignore' is invalid\. Allowed choices are block, warn/,
      ],
      [
        ["plan", "--cluster", "demo"],
        /--cluster-version is required, e.g. --cluster-version 1\.32 \(or --stack <name>\)/,
      ],
      // Checked before anything is read: a typo never plans toward Kubernetes 2.0.
      [
        ["plan", ...target(), "--cluster-version", "2.0"],
        /--cluster-version 2\.0: must be a Kubernetes minor like 1\.31/,
      ],
      [
        ["plan", ...target(), "--cluster-version", "1.999999"],
        /--cluster-version 1\.999999: must be a Kubernetes minor like 1\.31/,
      ],
      [
        ["status", "--cluster", "demo", "--region", "us-east-1", "--endpoint", "not a url"],
        /--endpoint not a url: a URL starts with its scheme/,
      ],
      [["frobnicate"], /unknown command 'frobnicate'/],
      // Contradictions and repeats are refused, naming both values.
      [
        ["plan", ...target(), "--cluster-version", "1.30", "--to", "1.31"],
        /--cluster-version 1\.30 and --to 1\.31 contradict each other \(--to is short for --cluster-version\): give one/,
      ],
      [
        [
          "plan",
          ...target(),
          "--to",
          "1.30",
          "--ami-release-version",
          "general=latest,general=1.30.0-20240522",
        ],
        /--ami-release-version: general is given 2 times \(general=latest, general=1\.30\.0-20240522\); give it once/,
      ],
      [
        ["plan", ...target(), "--to", "1.30", "--canary", "general,general"],
        /--canary: general is given more than once; give it once/,
      ],
      [
        ["plan", ...target(), "--to", "1.30", "--force", "arm,arm"],
        /--force: arm is given more than once; give it once/,
      ],
      [
        ["plan", ...target(), "--to", "1.30", "--time-scale", "-1"],
        /--time-scale: expected a number in \(0, 1\], got -1/,
      ],
      [
        ["plan", ...target(), "--to", "1.30", "--time-scale", "0"],
        /--time-scale: expected a number in \(0, 1\], got 0/,
      ],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(...args);
      assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
      assert.match(stderr, message);
    }
    // A well-formed minor EKS does not offer: that minor is named first, with the ones it offers.
    const far = await cli("plan", ...target(), "--cluster-version", "1.40");
    assert.equal(far.code, 2);
    assert.match(
      joined(far.stdout),
      /EKSUP002 --cluster-version: EKS does not offer Kubernetes 1\.40 \(offered: 1\.28, /,
    );
    assert.deepEqual(mutating(), []);
  });

  it("--endpoint mistakes are named with the remedy: https for the http emulator (EKSUP205), no scheme, empty; and the emulator's region needs no --region", async () => {
    const https = emulator.url.replace(/^http:/, "https:");
    const tls = await cli("status", "--cluster", "demo", "--endpoint", https);
    assert.equal(tls.code, 1, tls.stderr);
    assert.equal(
      tls.stderr.trim().split("\n").at(-1),
      `eks-upgrade: EKSUP205 --endpoint: ${https} does not answer TLS (EPROTO: the server speaks something else, most likely plain HTTP). The local emulator speaks plain HTTP: use ${emulator.url}, or fix --endpoint.`,
    );
    const hostPort = emulator.url.replace(/^http:\/\//, "");
    const noScheme = await cli("status", "--cluster", "demo", "--endpoint", hostPort);
    assert.equal(noScheme.code, 2);
    assert.match(
      noScheme.stderr,
      new RegExp(`--endpoint ${hostPort}: a URL starts with its scheme, like http://${hostPort}`),
    );
    const empty = await cli("status", "--cluster", "demo", "--endpoint", "");
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /--endpoint is empty: leave it out to talk to AWS/);

    // No --region and none in the environment: the emulator says which it serves.
    const env: NodeJS.ProcessEnv = { ...process.env, ...PROVIDER_ENV, NO_COLOR: "1" };
    delete env.AWS_REGION;
    delete env.AWS_DEFAULT_REGION;
    const { stdout } = await exec(
      process.execPath,
      [BIN, "plan", "--cluster", "demo", "--to", "1.30", "--endpoint", emulator.url],
      { env },
    );
    assert.match(stdout, /^Upgrade plan for demo: 1\.29 -> 1\.30/m);
    assert.deepEqual(mutating(), []);
  });

  it("EKS lost mid-apply (the emulator stopped during a control-plane step): EKSUP205, the update named as still running, exit 1", async () => {
    const gone = await startEmulator({ seed: { ...fleetSeed(), timeScale: TIME_SCALE } });
    const { exited, output } = startCli([
      "apply",
      "--cluster",
      "demo",
      "--endpoint",
      gone.url,
      "--to",
      "1.30",
      "--yes",
      "--time-scale",
      "0.005",
    ]);
    assert.ok(await eventually(() => gone.audit().some((e) => e.operation === "UpdateClusterVersion")));
    const updateId = gone.audit().find((e) => e.operation === "UpdateClusterVersion")?.updateId;
    gone.pauseClock();
    await gone.stop();
    assert.equal(await exited, 1, output());
    assert.match(
      joined(output()),
      new RegExp(
        `step controlPlane:1\\.30 failed: ENDPOINT_UNREACHABLE: EKSUP205 EKS could not be reached \\(ECONNREFUSED\\) while waiting for the update \\(update ${updateId ?? "[\\w-]+"}\\)\\. The update keeps running in EKS\\.`,
      ),
    );
    assert.doesNotMatch(output(), /aws eks describe-update/);
  });

  it("the note about the Node.js runtime is in --version and status, not on every command", async () => {
    // From first principles: the SDK releases from January 2027 need Node.js 22.
    const old = Number(process.versions.node.split(".")[0]) < 22;
    const version = await cli("--version");
    assert.equal(version.code, 0);
    assert.equal(
      /note: Node\.js v[\d.]+ works with the AWS SDK releases this project pins/.test(version.stdout),
      old,
    );
    const plan = await cli("plan", ...target(), "--cluster-version", "1.29");
    assert.doesNotMatch(plan.stdout + plan.stderr, /note: Node\.js/);
    const status = await cli("status", ...target());
    assert.equal(/note: Node\.js/.test(status.stderr), old);
  });

  it("an acknowledged insight the cluster does not have is refused (exit 2, EKSUP035), naming the flag and the insights it has", async () => {
    const r = await cli("plan", ...target(), "--cluster-version", "1.30", "--acknowledge", "no such insight");
    assert.equal(r.code, 2, r.stdout);
    assert.match(
      joined(r.stdout),
      /EKSUP035 --acknowledge <insight name>: cluster demo has no upgrade insight named "no such insight" \(its insights: "Deprecated APIs removed in Kubernetes v1\.30"\)/,
    );
    const named = await cli(
      "plan",
      ...target(),
      "--cluster-version",
      "1.30",
      "--acknowledge",
      "Deprecated APIs removed in Kubernetes v1.30",
    );
    assert.equal(named.code, 0, named.stdout);
    assert.deepEqual(mutating(), []);
  });

  it("a node group the cluster does not have is named with the flag that named it", async () => {
    for (const [flag, value, named] of [
      ["--canary", "nosuch", "--canary nosuch"],
      ["--force", "nosuch", "--force nosuch"],
      ["--drain-checks", "nosuch=warn", "--drain-checks nosuch=block|warn"],
      ["--ami-release-version", "nosuch=latest", "--ami-release-version nosuch=<release>"],
      ["--launch-template-version", "nosuch=4", "--launch-template-version nosuch=<version>"],
    ] as const) {
      const { code, stdout, stderr } = await cli("plan", ...target(), "--to", "1.30", flag, value);
      assert.equal(code, 2, `${flag}: ${stderr}`);
      assert.match(
        joined(stdout),
        new RegExp(`EKSUP005 ${named.replace(/[|<>]/g, "\\$&")}: cluster demo has no node group nosuch`),
        flag,
      );
    }
    assert.deepEqual(mutating(), []);
  });

  it("the demo ends with the cluster on 1.35 everywhere", async () => {
    const { code, stdout, stderr } = await cli("demo", "--time-scale", "0.0005");
    assert.equal(code, 0, stderr);
    const finalStatus = stdout.slice(stdout.lastIndexOf("$ eks-upgrade status"));
    assert.match(finalStatus, /Kubernetes 1\.35 \(platform eks\.\d+\), status ACTIVE/);
    assert.match(finalStatus, /Support: STANDARD_SUPPORT/);
    for (const ng of ["canary", "general", "bottlerocket"])
      assert.match(finalStatus, new RegExp(`${ng}\\s+│ \\S+\\s+│ 1\\.35 `));
    for (const addon of ["vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "eks-pod-identity-agent"])
      assert.doesNotMatch(finalStatus, new RegExp(`${addon}.*not offered`));
    assert.match(stdout, /Total: \d+m\d+s \(simulated time, \d+x faster\)/);

    // The README's sample is this output: each of its lines is a line of the demo's, up to what
    // changes from run to run (dates, day counts, update ids, durations, the time scale).
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const sample = /```text\n(\$ eks-upgrade status --cluster demo[^]*?)```/.exec(readme)?.[1] ?? "";
    const volatile = (line: string) =>
      line
        .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
        .replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, "[0-9a-f-]{36}")
        .replace(/\d{4}-\d\d-\d\d \d\d:\d\d/g, "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d")
        .replace(/\d+m\d\ds|\d+ days|\d+x faster|less than an hour ago|\d+ hours? ago/g, ".+");
    const lines = stdout.split("\n");
    const missing = sample
      .split("\n")
      .filter((l) => l && l !== "...")
      .filter((l) => !lines.some((o) => new RegExp(`^${volatile(l)}$`).test(o)));
    assert.deepEqual(missing, [], "README lines the demo does not print");
  });

  it("--stack names keys as the user gave them: a flag by its flag, the region as aws:region; a YAML mistake by file, line and column (exit 2)", async () => {
    const unknown = await cli("plan", "--stack", "local", "--endpoint", emulator.url, "--cluster", "nosuch");
    assert.equal(unknown.code, 1, unknown.stderr);
    assert.match(unknown.stderr, /^eks-upgrade: EKSUP201 --cluster: /m);
    assert.doesNotMatch(unknown.stderr, /eks-upgrade:clusterName/);
    // dev talks to AWS itself: with no credentials at all, the finding names the stack's aws:region.
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_EC2_METADATA_DISABLED: "true", NO_COLOR: "1" };
    for (const k of Object.keys(env))
      if (/^AWS_(ACCESS|SECRET|SESSION|PROFILE|REGION|DEFAULT_REGION)/.test(k)) delete env[k];
    env.AWS_SHARED_CREDENTIALS_FILE = join(ROOT, "no-such-credentials-file");
    env.AWS_CONFIG_FILE = join(ROOT, "no-such-config-file");
    const noCredentials = await exec(
      process.execPath,
      [BIN, "status", "--cluster", "x", "--region", "eu-west-1"],
      { env },
    ).then(
      () => "",
      (e: { stderr: string }) => e.stderr,
    );
    assert.match(noCredentials, /EKSUP203 --region: no valid AWS credentials/);
    const stackNoCredentials = await exec(process.execPath, [BIN, "plan", "--stack", "dev"], {
      cwd: ROOT,
      env,
    }).then(
      () => "",
      (e: { stderr: string }) => e.stderr,
    );
    assert.match(stackNoCredentials, /EKSUP203 aws:region: no valid AWS credentials/);

    const dir = mkdtempSync(join(tmpdir(), "eks-upgrade-stack-"));
    try {
      writeFileSync(
        join(dir, "Pulumi.broken.yaml"),
        "config:\n  aws:region: us-east-1\n  eks-upgrade:mode: existing\n  eks-upgrade:clusterName: [demo\n",
      );
      const broken = await exec(process.execPath, [BIN, "plan", "--stack", "broken"], { cwd: dir, env }).then(
        () => ({ code: 0, stderr: "" }),
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(broken.code, 2);
      assert.match(broken.stderr, /--stack broken: Pulumi\.broken\.yaml, line 5, column 1: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--stack takes the cluster and the desired versions from Pulumi.<stack>.yaml", async () => {
    const local = await startEmulator({
      seed: join(ROOT, "emulator", "seeds", "demo.json"),
      timeScale: TIME_SCALE,
    });
    try {
      const { code, stdout, stderr } = await cli(
        "plan",
        "--stack",
        "local",
        "--endpoint",
        local.url,
        "--format",
        "json",
      );
      assert.equal(code, 0, stderr);
      const plan = JSON.parse(stdout) as {
        cluster: string;
        to: string;
        steps: { kind: string; target: string }[];
      };
      assert.equal(plan.cluster, "demo");
      assert.equal(plan.to, "1.35", "Pulumi.local.yaml's clusterVersion");
      assert.deepEqual(
        plan.steps.filter((s) => s.kind === "nodegroup").map((s) => s.target),
        ["canary", "bottlerocket", "general"],
        "the stack's canary first",
      );
      const overridden = await cli(
        "plan",
        "--stack",
        "local",
        "--endpoint",
        local.url,
        "--to",
        "1.34",
        "--format",
        "json",
      );
      assert.equal((JSON.parse(overridden.stdout) as { to: string }).to, "1.34", "--to overrides the stack");
    } finally {
      await local.stop();
    }
    const missing = await cli("plan", "--stack", "nope");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--stack: no Pulumi\.nope\.yaml here \(stacks: dev, local, prod, staging\)/);
    // prod has a promotion gate: without the upstream's outputs (no pulumi here, or no login for
    // acme's backend) the CLI refuses instead of walking around the gate.
    const gated = await cli("plan", "--stack", "prod");
    assert.equal(gated.code, 2, gated.stderr);
    assert.match(
      gated.stderr,
      /--stack prod: eks-upgrade:promotion needs the outputs of acme\/eks-upgrade\/staging \(pulumi stack output\), and they could not be read: .*nothing was changed/,
    );
    const neither = await cli("plan", "--to", "1.31");
    assert.equal(neither.code, 2);
    assert.match(neither.stderr, /--cluster is required \(or --stack <name>/);
  });
});
