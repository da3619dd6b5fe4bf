import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import catalogData from "../../emulator/data/eks-catalog.json";
import { type Emulator, startEmulator } from "../../emulator/src/index";
import { PROVIDER_ENV, ROOT } from "../support/provider";
import { inTerminal } from "../support/terminal";

/*
 * `eks-upgrade fleet status` through the built CLI, in a project of five stacks (four in three
 * stages of fleet.yaml, one in none) whose clusters the emulator holds at 1.32-1.35. Support
 * dates and what is in extended support come from the catalog's published dates (the emulator
 * answers DescribeClusterVersions from them), compared with the emulator's clock.
 */
const exec = promisify(execFile);
const BIN = join(ROOT, "dist", "cli", "index.js");
const CATALOG = (
  catalogData as {
    kubernetesVersions: { version: string; endOfStandardSupport: string; endOfExtendedSupport: string }[];
  }
).kubernetesVersions;

const CLUSTERS: [stack: string, cluster: string, version: string][] = [
  ["dev-1", "dev-one", "1.35"],
  ["staging-1", "staging-one", "1.34"],
  ["prod-us", "prod-us", "1.32"],
  ["prod-eu", "prod-eu", "1.33"],
  ["sandbox", "sandbox", "1.35"],
];

const FLEET = `# the fleet: stacks in stages, in order
stages:
  - name: dev
    stacks: ["dev-*"]
  - name: staging
    stacks: ["staging-*"]
    maxParallel: 2
    soakHours: 24
  - name: prod
    stacks: [prod-us, "prod-e?"]
    maxParallel: 3
    maxFailures: 1
    soakHours: 48
`;

describe("eks-upgrade fleet status", () => {
  let emulator: Emulator;
  let dir = "";
  const run = async (args: string[], cwd = dir) => {
    try {
      const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], {
        cwd,
        env: { ...process.env, ...PROVIDER_ENV, NO_COLOR: "1" },
      });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
  /** What a person reads off the catalog and the emulator's clock: whole days until a date. */
  const daysUntil = (date: string) =>
    Math.floor((Date.parse(date) - emulator.world.clock.now()) / 86_400_000);
  const support = (minor: string) => {
    const v = CATALOG.find((x) => x.version === minor);
    assert.ok(v, minor);
    const now = emulator.world.clock.now();
    const status =
      Date.parse(v.endOfStandardSupport) > now
        ? "STANDARD_SUPPORT"
        : Date.parse(v.endOfExtendedSupport) > now
          ? "EXTENDED_SUPPORT"
          : "UNSUPPORTED";
    return {
      ...v,
      status,
      endsIn: daysUntil(status === "STANDARD_SUPPORT" ? v.endOfStandardSupport : v.endOfExtendedSupport),
    };
  };

  before(async () => {
    emulator = await startEmulator({
      seed: {
        clusters: CLUSTERS.map(([, name, version]) => ({
          name,
          version,
          nodegroups: [{ name: "general", version, desiredSize: 2 }],
        })),
      },
    });
    // The clock stands still: the days counted are the days the test computes.
    emulator.pauseClock();
    dir = mkdtempSync(join(tmpdir(), "eks-upgrade-fleet-"));
    for (const [stack, cluster, version] of CLUSTERS) {
      writeFileSync(
        join(dir, `Pulumi.${stack}.yaml`),
        [
          "config:",
          "  aws:region: us-east-1",
          "  eks-upgrade:mode: existing",
          `  eks-upgrade:clusterName: ${cluster}`,
          `  eks-upgrade:clusterVersion: "${version}"`,
          `  eks-upgrade:endpoints: { eks: "${emulator.url}", ssm: "${emulator.url}" }`,
          "",
        ].join("\n"),
      );
    }
    writeFileSync(join(dir, "fleet.yaml"), FLEET);
    const paused = await run([
      "pause",
      "--cluster",
      "prod-eu",
      "--region",
      "us-east-1",
      "--endpoint",
      emulator.url,
      "--reason",
      "holiday freeze",
    ]);
    assert.equal(paused.code, 0, paused.stderr);
  });
  after(async () => {
    await emulator?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("--format json: one row per staged stack, the most urgent first, with EKS's support dates, extended-support cost and state", async () => {
    const { code, stdout, stderr } = await run(["fleet", "status", "--format", "json"]);
    assert.equal(code, 0, stderr);
    const { stacks, unstaged } = JSON.parse(stdout) as {
      stacks: Record<string, unknown>[];
      unstaged: string[];
    };
    assert.deepEqual(unstaged, ["sandbox"]);
    const expected = CLUSTERS.filter(([stack]) => stack !== "sandbox")
      .map(([stack, cluster, version]) => {
        const s = support(version);
        return {
          stage: stack.split("-")[0] === "prod" ? "prod" : stack.split("-")[0],
          stack,
          cluster,
          kubernetesVersion: version,
          support: s.status,
          endOfStandardSupport: s.endOfStandardSupport,
          endOfExtendedSupport: s.endOfExtendedSupport,
          daysToEndOfStandardSupport: daysUntil(s.endOfStandardSupport),
          daysToEndOfExtendedSupport: daysUntil(s.endOfExtendedSupport),
          // EKS pricing: $0.60 an hour in extended support against $0.10, 730 hours a month.
          extendedSupportUsdPerMonth: s.status === "EXTENDED_SUPPORT" ? 365 : 0,
          state: cluster === "prod-eu" ? "paused" : "ok",
          endsIn: s.endsIn,
        };
      })
      .sort((a, b) => a.endsIn - b.endsIn);
    assert.deepEqual(
      stacks.map((r) => ({
        stage: r.stage,
        stack: r.stack,
        cluster: r.cluster,
        kubernetesVersion: r.kubernetesVersion,
        support: r.support,
        endOfStandardSupport: r.endOfStandardSupport,
        endOfExtendedSupport: r.endOfExtendedSupport,
        daysToEndOfStandardSupport: r.daysToEndOfStandardSupport,
        daysToEndOfExtendedSupport: r.daysToEndOfExtendedSupport,
        extendedSupportUsdPerMonth: r.extendedSupportUsdPerMonth,
        state: r.state,
      })),
      expected.map(({ endsIn: _, ...r }) => r),
    );
    // The oldest AMI is the node group's release, dated by its build.
    for (const r of stacks) assert.equal((r.oldestAmi as { nodegroup: string }).nodegroup, "general");
  });

  it("the table fits 100 columns off a terminal and 80 in one, and sums the extended-support bill", async () => {
    const { code, stdout } = await run(["fleet", "status"]);
    assert.equal(code, 0);
    assert.ok(Math.max(...stdout.split("\n").map((l) => [...l].length)) <= 100, stdout);
    const extended = CLUSTERS.filter(
      ([stack, , v]) => stack !== "sandbox" && support(v).status === "EXTENDED_SUPPORT",
    );
    assert.match(
      stdout,
      new RegExp(
        `\\n4 stacks; ${extended.length} in extended support \\(\\+\\$${extended.length * 365} a month over standard support\\)\\.\\nNot in any stage of the fleet file: sandbox\\.\\n$`,
      ),
    );
    // The most urgent first: the order of the clusters' rows.
    const order = ["prod-us", "dev-one", "prod-eu", "staging-one"]
      .map((c) => ({ c, days: support(CLUSTERS.find(([, name]) => name === c)?.[2] ?? "").endsIn }))
      .sort((a, b) => a.days - b.days)
      .map((x) => x.c);
    const seen = order.map((c) => stdout.search(new RegExp(` ${c} `)));
    assert.ok(!seen.includes(-1), stdout);
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      seen,
      stdout,
    );

    const [command, args] = inTerminal([process.execPath, BIN, "fleet", "status"], { columns: 80 });
    const child = spawn(command, args, { cwd: dir, env: { ...process.env, ...PROVIDER_ENV, NO_COLOR: "1" } });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    await new Promise((resolve) => child.on("close", resolve));
    // The progress line is rewritten in place and cleared: the table is what stays.
    const table = out.replace(/\r?reading stacks: \d+\/\d+/g, "").replaceAll("\r\u001b[K", "");
    assert.match(table, /\bprod-us +prod-us +1\.32 +extended /, out);
    assert.match(table, /\(upgraded and AMI age left out to fit 80 columns: --format json has them\.\)/);
    assert.ok(Math.max(...table.split(/\r?\n/).map((l) => [...l].length)) <= 80, table);
  });

  it("--format markdown: a table a pull request shows, and the summary", async () => {
    const { code, stdout } = await run(["fleet", "status", "--format", "markdown"]);
    assert.equal(code, 0);
    const lines = stdout.split("\n");
    assert.equal(
      lines[0],
      "| stage | stack | cluster | version | support | ends | +$/month | AMI age | state | upgraded |",
    );
    assert.equal(lines.filter((l) => l.startsWith("| ") && !l.startsWith("| ---")).length, 5);
    assert.match(
      stdout,
      /\| prod \| prod-eu \| prod-eu \| 1\.33 \| extended \| \d+ days \| \$365 \| \d+ days \| paused \| - \|/,
    );
  });

  it("a fleet file with mistakes: the file, line, column and key as written; nothing read", async () => {
    const cases: [string, RegExp][] = [
      [
        "stages:\n  - name: dev\n    stacks: [dev-1]\n    maxParalel: 2\n",
        /^eks-upgrade: fleet\.yaml, line 4, column 5: stages\[0\]\.maxParalel: unknown key$/m,
      ],
      [
        "stages:\n  - name: dev\n    stacks: [dev-1]\n    maxParallel: 0\n",
        /^eks-upgrade: fleet\.yaml, line 4, column 18: stages\[0\]\.maxParallel: .*>=1/m,
      ],
      [
        'stages:\n  - name: dev\n    stacks: [dev-1, "qa-*"]\n',
        /^eks-upgrade: fleet\.yaml, line 3, column 21: stages\[0\]\.stacks\[1\]: "qa-\*" matches no stack \(stacks: dev-1, prod-eu, prod-us, sandbox, staging-1\)$/m,
      ],
      [
        'stages:\n  - name: dev\n    stacks: ["*-1"]\n  - name: staging\n    stacks: [staging-1]\n',
        /^eks-upgrade: fleet\.yaml: stack staging-1 is in stages dev and staging: a stack belongs to one stage$/m,
      ],
      ["stages:\n  - name: dev\n    stacks: [dev-1\n", /^eks-upgrade: fleet\.yaml, line \d+, column \d+: /m],
    ];
    const before = emulator.audit().length;
    for (const [text, message] of cases) {
      writeFileSync(join(dir, "fleet.yaml"), text);
      const { code, stderr } = await run(["fleet", "status"]);
      assert.equal(code, 2, stderr);
      assert.match(stderr, message);
    }
    writeFileSync(join(dir, "fleet.yaml"), FLEET);
    assert.equal(emulator.audit().length, before, "no call was made");
    const none = await run(["fleet", "status"], ROOT);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no fleet\.yaml in .*: a fleet file lists the stacks in stages/);
  });
});
