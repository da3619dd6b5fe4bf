import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import catalogData from "../../emulator/data/eks-catalog.json";
import { type Emulator, startEmulator } from "../../emulator/src/index";
import type { Observed } from "@eks-upgrade/engine";
import { versionDrift } from "../../cli/fleet-status";
import { BIN, runCli } from "../support/cli";
import { PROVIDER_ENV, ROOT } from "../support/provider";
import { inTerminal } from "../support/terminal";

/*
 * `eks-upgrade fleet status` through the built CLI, in a project of five stacks (four in three
 * stages of fleet.yaml, one in none) whose clusters the emulator holds at 1.32-1.35. Support
 * dates and what is in extended support come from the catalog's published dates (the emulator
 * answers DescribeClusterVersions from them), compared with the emulator's clock.
 */
const CATALOG = (
  catalogData as {
    kubernetesVersions: { version: string; endOfStandardSupport: string; endOfExtendedSupport: string }[];
  }
).kubernetesVersions;

/** The add-ons the program manages, at the version the catalog marks default for the minor. */
const ADDONS = catalogData as unknown as {
  addons: Record<string, { version: string; defaultFor: string[] }[]>;
};
const defaultAddons = (minor: string) =>
  Object.fromEntries(
    ["vpc-cni", "coredns", "kube-proxy"].map((name) => {
      const v = ADDONS.addons[name]?.find((x) => x.defaultFor.includes(minor))?.version;
      assert.ok(v, `${name} has a default for ${minor}`);
      return [name, v];
    }),
  );

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
  const run = (args: string[], cwd = dir) => runCli(args, { cwd, env: PROVIDER_ENV });

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
          addons: defaultAddons(version),
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
    // No Pulumi backend holds these stacks here: their drift is unknown, and says why.
    for (const r of stacks) {
      assert.equal(r.drift, undefined);
      assert.match(String(r.driftUnknown), /^the stack's outputs could not be read: /);
    }
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
        `\\n4 stacks; ${extended.length} in extended support \\(\\+\\$${extended.length * 365} a month over standard support\\)\\.\\nNot in any stage of the fleet file: sandbox\\.\\n\\(upgraded left out to fit 100 columns: --format json has them\\.\\)\\n$`,
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
    assert.match(
      table.replace(/\r?\n {2}/g, " "),
      /\(upgraded, AMI age and drift left out to fit 80 columns: --format json has them\.\)/,
    );
    assert.ok(Math.max(...table.split(/\r?\n/).map((l) => [...l].length)) <= 80, table);
  });

  it("--format markdown: a table a pull request shows, and the summary", async () => {
    const { code, stdout } = await run(["fleet", "status", "--format", "markdown"]);
    assert.equal(code, 0);
    const lines = stdout.split("\n");
    assert.equal(
      lines[0],
      "| stage | stack | cluster | version | support | ends | +$/month | AMI age | state | drift | upgraded |",
    );
    assert.equal(lines.filter((l) => l.startsWith("| ") && !l.startsWith("| ---")).length, 5);
    assert.match(
      stdout,
      /\| prod \| prod-eu \| prod-eu \| 1\.33 \| extended \| \d+ days \| \$365 \| \d+ days \| paused \| \? \| - \|/,
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
      [
        'stages:\n  - name: dev\n    stacks: ["tag:"]\n',
        /^eks-upgrade: fleet\.yaml, line 3, column 14: stages\[0\]\.stacks\[0\]: a tag selector is tag:<name>=<value> or tag:<name>$/m,
      ],
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

  it("fleet plan --cluster-version 1.35: each stack's plan, the stages' calendar (maxParallel lanes, then the soak) and the extended-support bill before and after", async () => {
    const since = emulator.audit().at(-1)?.seq ?? 0;
    const { code, stdout, stderr } = await run([
      "fleet",
      "plan",
      "--cluster-version",
      "1.35",
      "--format",
      "json",
    ]);
    // One stack refused (paused): exit 2, as eks-upgrade plan.
    assert.equal(code, 2, stderr);
    const f = JSON.parse(stdout) as {
      stacks: {
        stage: string;
        stack: string;
        from: string;
        to: string;
        steps: number;
        minutes: number;
        refused: unknown[];
      }[];
      stages: {
        name: string;
        minutes: number;
        startsAtHour: number;
        endsAtHour: number;
        soakHours: number;
      }[];
      totalHours: number;
      extraPerMonth: { now: number; after: number };
    };
    assert.deepEqual(
      f.stacks.map((p) => [p.stack, p.from, p.to, p.refused.length]),
      [
        ["dev-1", "1.35", "1.35", 0],
        ["staging-1", "1.34", "1.35", 0],
        // Paused (holiday freeze): refused, EKSUP033; it counts for nothing in its stage.
        ["prod-eu", "1.33", "1.35", 1],
        ["prod-us", "1.32", "1.35", 0],
      ],
    );
    assert.deepEqual(
      f.stacks.map((p) => p.steps > 0 && p.minutes > 0),
      [false, true, false, true],
    );
    // The calendar from the fleet file: stages in order; a stage's stacks in maxParallel lanes
    // (prod: 3 lanes for 2 stacks, so as long as its longest plan); its soak before the next.
    const minutes = (stack: string) => f.stacks.find((p) => p.stack === stack)?.minutes ?? NaN;
    const expected = [
      { name: "dev", minutes: minutes("dev-1"), soak: 0 },
      { name: "staging", minutes: minutes("staging-1"), soak: 24 },
      { name: "prod", minutes: Math.max(minutes("prod-eu"), minutes("prod-us")), soak: 48 },
    ];
    let hour = 0;
    for (const [i, e] of expected.entries()) {
      const stage = f.stages[i];
      assert.equal(stage?.name, e.name);
      assert.equal(stage?.minutes, e.minutes);
      assert.ok(Math.abs((stage?.startsAtHour ?? NaN) - hour) < 1e-9, `${e.name} starts at ${hour} h`);
      hour += e.minutes / 60;
      assert.ok(Math.abs((stage?.endsAtHour ?? NaN) - hour) < 1e-9);
      hour += e.soak;
    }
    // What is in extended support comes from the catalog's dates; prod-eu stays on 1.33, refused.
    const extended = (v: string) => (support(v).status === "EXTENDED_SUPPORT" ? 365 : 0);
    assert.deepEqual(f.extraPerMonth, {
      now: extended("1.35") + extended("1.34") + extended("1.33") + extended("1.32"),
      after: extended("1.35") * 3 + extended("1.33"),
    });
    assert.deepEqual(
      emulator.audit(since).filter((e) => e.mutating),
      [],
      "a plan calls nothing that changes a cluster",
    );
  });

  it("fleet plan to a minor below a stack's: that stack refused (EKSUP001 with its stack key, exit 2), the others planned", async () => {
    const { code, stdout } = await run(["fleet", "plan", "--cluster-version", "1.34"]);
    assert.equal(code, 2, stdout);
    assert.match(stdout, /\bdev-1 +dev-one +1\.35 -> 1\.34 +refused: EKSUP001 /);
    assert.match(stdout, /\bprod-us +prod-us +1\.32 -> 1\.34 +\d+ steps, ~\d+ min /);
    assert.match(
      stdout,
      /\nStage prod: 2 stacks, 3 at a time, ~\d+ min; from \+[\d.]+ h to \+[\d.]+ h, then a 48 h soak\n/,
    );
    assert.match(stdout, /\ndev-1: EKSUP001 eks-upgrade:clusterVersion: /);
    const bad = await run(["fleet", "plan", "--cluster-version", "1.3"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--cluster-version 1\.3: must be a Kubernetes minor like 1\.36/);
  });

  it("fleet plan --format markdown for 50 stacks fits one pull-request comment: the fleet table, the calendar, the plans that fit", async () => {
    const many = await startEmulator({
      seed: {
        clusters: Array.from({ length: 50 }, (_, i) => ({
          name: `c${i}`,
          version: "1.33",
          addons: defaultAddons("1.33"),
          nodegroups: [
            { name: "general", version: "1.33", desiredSize: 2 },
            { name: "system", version: "1.33", desiredSize: 2 },
          ],
        })),
      },
    });
    const big = mkdtempSync(join(tmpdir(), "eks-upgrade-fleet-50-"));
    try {
      for (let i = 0; i < 50; i++)
        writeFileSync(
          join(big, `Pulumi.s${i}.yaml`),
          `config:\n  aws:region: us-east-1\n  eks-upgrade:mode: existing\n  eks-upgrade:clusterName: c${i}\n  eks-upgrade:clusterVersion: "1.33"\n  eks-upgrade:endpoints: { eks: "${many.url}", ssm: "${many.url}" }\n`,
        );
      writeFileSync(
        join(big, "fleet.yaml"),
        'stages:\n  - name: all\n    stacks: ["s*"]\n    maxParallel: 10\n',
      );
      const { code, stdout, stderr } = await run(
        ["fleet", "plan", "--cluster-version", "1.36", "--format", "markdown"],
        big,
      );
      assert.equal(code, 0, stderr);
      assert.ok(stdout.length < 65_536, `${stdout.length} characters`);
      assert.equal(
        stdout
          .split("\n")
          .filter((l) => /^\| all \| s\d+ \| c\d+ \| 1\.33 -> 1\.36 \| \d+ steps, ~\d+ min \|/.test(l))
          .length,
        50,
      );
      const shown = stdout.split("<details>").length - 1;
      assert.ok(shown > 0);
      if (shown < 50)
        assert.match(
          stdout,
          new RegExp(
            `\\n${50 - shown} more plans did not fit one comment: eks-upgrade plan --stack <stack> \\(`,
          ),
        );
    } finally {
      await many.stop();
      rmSync(big, { recursive: true, force: true });
    }
  });

  it("the stage before is each stack's promotion gate: plan --stack reads every stack of it (refused, naming the first it cannot read); the first stage has none; pause --stack needs no gate", async () => {
    // No Pulumi backend holds these stacks' outputs here: the gate cannot be read, so it refuses.
    const staging = await run(["plan", "--stack", "staging-1"]);
    assert.equal(staging.code, 2, staging.stderr);
    assert.match(
      staging.stderr,
      /--stack staging-1: fleet\.yaml \(stage dev\) needs the outputs of dev-1 \(pulumi stack output\), and they could not be read: .*nothing was changed/,
    );
    const prod = await run(["plan", "--stack", "prod-us"]);
    assert.match(
      prod.stderr,
      /--stack prod-us: fleet\.yaml \(stage staging\) needs the outputs of staging-1 /,
    );
    // The first stage promotes from nothing: its plan is made.
    const dev = await run(["plan", "--stack", "dev-1", "--format", "json"]);
    assert.equal(dev.code, 0, dev.stderr);
    assert.equal((JSON.parse(dev.stdout) as { to: string }).to, "1.35");
    // Said twice (the stack file's eks-upgrade:promotion too): refused, naming both.
    const file = join(dir, "Pulumi.prod-eu.yaml");
    const text = readFileSync(file, "utf8");
    try {
      writeFileSync(
        file,
        `${text}  eks-upgrade:promotion: { upstreamStack: acme/eks-upgrade/staging-1, soakHours: 24 }\n`,
      );
      const twice = await run(["plan", "--stack", "prod-eu"]);
      assert.equal(twice.code, 2);
      assert.match(
        twice.stderr,
        /--stack prod-eu: eks-upgrade:promotion and fleet\.yaml both say where this stack promotes from; the fleet file's stages are the gate \(its upstream: stage staging\): remove eks-upgrade:promotion from Pulumi\.prod-eu\.yaml/,
      );
      // Pausing does not read the gate: it works whatever the upstreams' outputs.
      const paused = await run(["pause", "--stack", "prod-us", "--reason", "game day"]);
      assert.equal(paused.code, 0, paused.stderr);
      const resumed = await run(["resume", "--stack", "prod-us"]);
      assert.equal(resumed.code, 0, resumed.stderr);
    } finally {
      writeFileSync(file, text);
    }
  });

  it("drift: what EKS runs that a stack's outputs (its last up) do not say, only for what the stack records", () => {
    const observed = {
      cluster: { version: "1.35" },
      nodegroups: [
        { name: "general", releaseVersion: "1.35.8-20260930" },
        { name: "karpenter-bootstrap", releaseVersion: "1.35.8-20260930" },
      ],
      addons: [
        { name: "coredns", version: "v1.13.2-eksbuild.21" },
        { name: "vpc-cni", version: "v1.22.3-eksbuild.1" },
      ],
    } as unknown as Observed;
    const outputs = {
      controlPlaneVersion: "1.34",
      nodeGroupReleases: { general: "1.34.9-20260714", spot: "1.34.9-20260714" },
      addonVersions: { coredns: "v1.13.2-eksbuild.21", "vpc-cni": "v1.21.1-eksbuild.3" },
    };
    assert.deepEqual(versionDrift(outputs, observed), [
      "control plane 1.34 -> 1.35",
      "node group general 1.34.9-20260714 -> 1.35.8-20260930",
      "node group spot gone",
      "add-on vpc-cni v1.21.1-eksbuild.3 -> v1.22.3-eksbuild.1",
    ]);
    assert.deepEqual(
      versionDrift(
        {
          controlPlaneVersion: "1.35",
          nodeGroupReleases: { general: "1.35.8-20260930" },
          addonVersions: { coredns: "v1.13.2-eksbuild.21" },
        },
        observed,
      ),
      [],
    );
  });
});
