import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe } from "node:test";
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { parse, stringify } from "yaml";
import { type AuditEntry, type Emulator, type SeedInput, startEmulator } from "../../emulator/src/index";
import exampleSeed from "../../examples/fleet/seed.json";
import { pointExampleFleet } from "../../cli/pulumi-project";
import { DUMMY_CREDENTIALS } from "../support/emulator";
import { callSummary } from "../support/engine";
import { chapters } from "../support/chapters";
import { eventually } from "../support/eventually";
import { PulumiProject, requirePulumi, type RunResult } from "../support/pulumi";

/*
 * `eks-upgrade fleet up` as a platform team runs it: the built CLI in a copy of examples/fleet
 * (twelve stacks, three stages: dev 2 / staging 4 / prod 6, maxParallel 2/2/3, maxFailures 0/1/1,
 * staging soaks, here 2 hours instead of 24), the real `pulumi` through the Automation API, a local file backend,
 * and the emulator with the example's seed. Every stack file asks for 1.36. What happened is read
 * from the emulator's audit log (its own clock), never from the runner's report alone. The
 * chapters run in order, each from where the one before left the fleet.
 */

/** Fast enough, and slow enough that holding the clock for a second or two meets no deadline. */
const TIME_SCALE = 0.002;
/** staging's soak, shortened from the example's 24 hours (14 seconds here instead of 3 minutes). */
const SOAK_HOURS = 2;
const HOUR = 3_600_000;
const toolchain = requirePulumi();

interface RunJson {
  outcome: string;
  failedStacks: string[];
  stages: { name: string; outcome: string; failed: number; soak?: { hours: number } }[];
  stacks: { stage: string; stack: string; outcome: string; summary?: string }[];
}

const STAGES = { dev: 2, staging: 4, prod: 6 } as const;
const stacksOf = (stage: keyof typeof STAGES) =>
  Array.from({ length: STAGES[stage] }, (_, i) => `local-${stage}-${i + 1}`);
const ALL = [...stacksOf("dev"), ...stacksOf("staging"), ...stacksOf("prod")];
const clusterOf = (stack: string) => stack.replace(/^local-/, "fleet-");
const stageOfCluster = (cluster: string) => /^fleet-(dev|staging|prod)-/.exec(cluster)?.[1];

/**
 * What a pseudo-terminal shows, as lines: no carriage returns, and no "^C" the terminal echoed
 * where its cursor was (at the start of a line).
 */
const screen = (text: string) => text.replace(/\r/g, "").replace(/^\^C/gm, "");

/** The most stacks of a stage whose calls to EKS overlapped in time (each cluster's first to last call). */
function mostAtOnce(entries: AuditEntry[], stage: string): number {
  const spans = new Map<string, [number, number]>();
  for (const e of entries) {
    if (!e.cluster || stageOfCluster(e.cluster) !== stage) continue;
    const s = spans.get(e.cluster);
    spans.set(e.cluster, s ? [s[0], e.time] : [e.time, e.time]);
  }
  const list = [...spans.values()];
  return Math.max(0, ...list.map(([start]) => list.filter(([a, b]) => a <= start && start < b).length));
}

describe(
  "eks-upgrade fleet up: the example fleet through the real Pulumi CLI (Automation API)",
  {
    skip: "skip" in toolchain ? toolchain.skip : false,
  },
  () => {
    let emulator: Emulator;
    let project: PulumiProject;
    let eks: EKSClient;
    let since = 0;
    /** The audit entries since the last look. */
    const newEntries = () => {
      const entries = emulator.audit(since);
      since = entries.at(-1)?.seq ?? since;
      return entries;
    };
    const versionOf = async (cluster: string) =>
      (await eks.send(new DescribeClusterCommand({ name: cluster }))).cluster?.version;
    const fleetUp = async (onStart?: Parameters<PulumiProject["cli"]>[1]) => {
      const r = await project.cli(["fleet", "up", "--yes", "--format", "json"], onStart);
      let json: RunJson;
      try {
        json = JSON.parse(r.stdout) as RunJson;
      } catch {
        throw new Error(`fleet up printed no JSON (exit ${r.code}):\n${r.output}`);
      }
      return { r, json, of: (stack: string) => json.stacks.find((s) => s.stack === stack) };
    };
    /** Resolves once the emulator has seen a mutating call for a cluster that `match` accepts. */
    const mutated = async (match: (cluster: string) => boolean) => {
      const seen = () => emulator.audit(since).some((e) => e.mutating && e.cluster && match(e.cluster));
      assert.ok(await eventually(seen, 60), "no mutating call came");
    };

    /**
     * The staging clusters with an update in flight, with the clock held (no step can end): a
     * moment first, for the last calls of a wave of steps that started together to arrive.
     */
    const stagingInFlight = async () => {
      await new Promise((r) => setTimeout(r, 500));
      const clusters = emulator
        .audit(since)
        .filter((e) => e.mutating && e.cluster && stageOfCluster(e.cluster) === "staging")
        .flatMap((e) => (e.cluster ? [e.cluster] : []));
      return [...new Set(clusters)];
    };
    /** Resolves once each cluster's stack printed its provider's word that Pulumi cancelled (about 60 s at most). */
    const cancelHeard = async (output: () => string, clusters: string[]) => {
      const heard = () =>
        clusters.every((c) =>
          new RegExp(`^ {2}${c.replace(/^fleet-/, "local-")} \\| Pulumi cancelled the update`, "m").test(
            screen(output()),
          ),
        );
      assert.ok(
        await eventually(heard, 60),
        `not every running stack heard the cancel (${clusters.join(", ")}):\n${output()}`,
      );
    };
    const chapter = chapters("the fleet");

    before(async () => {
      if ("skip" in toolchain) return;
      emulator = await startEmulator({
        seed: { ...(exampleSeed as SeedInput), timeScale: TIME_SCALE },
        port: 0,
      });
      eks = new EKSClient({ region: "us-east-1", endpoint: emulator.url, credentials: DUMMY_CREDENTIALS });
      project = new PulumiProject(toolchain.binDir, { example: "examples/fleet" });
      assert.deepEqual(pointExampleFleet(project.dir, emulator.url, "1.36").sort(), [...ALL].sort());
      // The chapters hold the emulator's clock while staging's steps are in flight, and the engine
      // counts a step's deadline in real time (x the time scale: a held second is 8 simulated
      // minutes): the staging stacks get deadlines a few held seconds cannot meet.
      for (const stack of stacksOf("staging")) {
        const file = join(project.dir, `Pulumi.${stack}.yaml`);
        const doc = parse(readFileSync(file, "utf8")) as { config: Record<string, unknown> };
        doc.config["eks-upgrade:upgrade"] = {
          deadlines: { addonMinutes: 600, controlPlaneMinutes: 600, nodegroupMinutes: 600 },
        };
        writeFileSync(file, stringify(doc));
      }
      await Promise.all(ALL.map((stack) => project.ok(["stack", "init", "--no-select", stack])));
      const fleetFile = join(project.dir, "fleet.yaml");
      writeFileSync(
        fleetFile,
        readFileSync(fleetFile, "utf8").replace("soakHours: 24", `soakHours: ${SOAK_HOURS}`),
      );
    });
    after(async () => {
      eks?.destroy();
      project?.dispose();
      await emulator?.stop();
    });

    chapter(
      "a failure beyond dev's budget (0): the stage fails, the failed stack is named, no later stage starts",
      async () => {
        emulator.injectFault({ kind: "updateFailure", cluster: "fleet-dev-1", errorCode: "IpNotAvailable" });
        const { r, json, of } = await fleetUp();
        assert.equal(r.code, 1, r.output);
        assert.equal(json.outcome, "failed");
        assert.deepEqual(json.failedStacks, ["local-dev-1"]);
        assert.match(of("local-dev-1")?.summary ?? "", /IpNotAvailable/);
        assert.deepEqual(
          json.stages.map((s) => [s.name, s.outcome]),
          [
            ["dev", "failed"],
            ["staging", "notStarted"],
            ["prod", "notStarted"],
          ],
        );
        const entries = newEntries();
        // Not a single call, read or write, reached a cluster of a later stage.
        assert.deepEqual(
          entries.filter((e) => e.cluster && stageOfCluster(e.cluster) !== "dev"),
          [],
        );
        assert.equal(await versionOf("fleet-dev-2"), "1.36", "the other dev stack ran beside it");
        assert.match(r.stdout + r.stderr, /stage dev: failed \(1 failed, at most 0 may\)/);
      },
    );

    chapter(
      "eks-upgrade pause on a staging cluster from a second process: its run stops after the step in flight, no prod stack starts, the fleet ends paused",
      async () => {
        emulator.clearFaults();
        let pause: RunResult | undefined;
        const run = fleetUp();
        await mutated((c) => c === "fleet-staging-1");
        emulator.pauseClock();
        const staging1 = (entries: AuditEntry[]) =>
          callSummary(entries.filter((e) => e.mutating && e.cluster === "fleet-staging-1"));
        // Its first steps (the add-ons 1.34 needs, one wave) are in flight, held by the clock; the
        // wave's calls go out together (a moment for the last to arrive), and no step can end.
        await new Promise((r) => setTimeout(r, 500));
        const inFlight = staging1(emulator.audit(since));
        try {
          pause = await project.cli(["pause", "--stack", "local-staging-1", "--reason", "incident 7"]);
        } finally {
          emulator.resumeClock();
        }
        assert.equal(pause.code, 0, pause.output);
        const { r, json, of } = await run;
        assert.equal(r.code, 1, r.output);
        assert.equal(json.outcome, "paused", r.output);
        assert.equal(of("local-staging-1")?.outcome, "paused");
        assert.match(
          of("local-staging-1")?.summary ?? "",
          /^cluster fleet-staging-1 is paused by \S+ at \S+: incident 7$/,
        );
        assert.deepEqual(
          json.stages.map((s) => s.outcome),
          ["succeeded", "paused", "notStarted"],
        );
        const entries = newEntries();
        assert.deepEqual(
          entries.filter((e) => e.cluster && stageOfCluster(e.cluster) === "prod"),
          [],
        );
        // The steps in flight finished; nothing after them started on that cluster.
        assert.ok(inFlight.length >= 1);
        assert.deepEqual(staging1(entries), [
          ...inFlight,
          "tag fleet-staging-1 eks-upgrade:paused,eks-upgrade:paused-by,eks-upgrade:paused-at",
        ]);
        assert.equal(await versionOf("fleet-staging-1"), "1.34");
      },
    );

    chapter(
      "a SIGINT to eks-upgrade alone (a cancelled job): no new stack starts, the running ones stop after their step in flight, the fleet ends stopped",
      async () => {
        const resume = await project.cli(["resume", "--stack", "local-staging-1"]);
        assert.equal(resume.code, 0, resume.output);
        newEntries();
        let pid: number | undefined;
        let progress = "";
        const run = fleetUp((child) => {
          pid = child.pid;
          child.stderr?.on("data", (d: Buffer) => (progress += d));
        });
        await mutated((c) => stageOfCluster(c) === "staging");
        // Hold the update in flight while the stop reaches the stack (pulumi has to hear it from us).
        emulator.pauseClock();
        const inFlight = await stagingInFlight();
        process.kill(pid ?? 0, "SIGINT");
        await cancelHeard(() => progress, inFlight);
        // Nothing moves while the clock is held: a call after this one is a step started after the stop.
        const held = emulator.audit(0).at(-1)?.seq ?? 0;
        emulator.resumeClock();
        const { r, json, of } = await run;
        assert.equal(r.code, 1, r.output);
        assert.equal(json.outcome, "stopped");
        assert.match(r.stderr, /stopping: no new stack starts/);
        assert.ok(inFlight.length >= 1);
        for (const cluster of new Set(inFlight)) {
          const stack = cluster.replace(/^fleet-/, "local-");
          // The one SIGINT the runner forwarded (the job's cancel reached eks-upgrade alone).
          assert.equal(
            r.stderr.match(new RegExp(`^ {2}${stack} \\| pulumi: \\^C received; cancelling$`, "gm"))?.length,
            1,
            stack,
          );
          const s = of(stack);
          assert.equal(s?.outcome, "stopped", cluster);
          assert.match(
            s?.summary ?? "",
            /upgrade stopped after the steps in flight: Pulumi cancelled the update/,
          );
        }
        const entries = newEntries();
        assert.deepEqual(
          entries.filter((e) => e.cluster && stageOfCluster(e.cluster) === "prod"),
          [],
        );
        assert.deepEqual(
          entries.filter((e) => e.mutating && e.seq > held).map((e) => e.cluster),
          [],
          "no step started after the stop",
        );
      },
    );

    chapter(
      "one Ctrl-C at the terminal (it reaches the whole process group): each running stack's pulumi takes that one and cancels, none is sent a second; the fleet ends stopped, no pending operation left",
      async () => {
        newEntries();
        const run = project.cliInTerminal(["fleet", "up", "--yes"]);
        let inFlight: string[];
        try {
          await mutated((c) => stageOfCluster(c) === "staging");
          // Hold the updates in flight until every running stack's provider heard the cancel.
          emulator.pauseClock();
          inFlight = await stagingInFlight();
          run.ctrlC();
          await cancelHeard(run.output, inFlight);
          // A second SIGINT from the runner would come within its 2 s wait for pulumi's own word:
          // still holding the steps, so that pulumi would terminate mid-step and this test see it.
          await new Promise((r) => setTimeout(r, 3000));
        } finally {
          emulator.resumeClock();
        }
        const r = await run.done;
        const output = screen(r.output);
        assert.notEqual(r.code, 0, output);
        assert.match(output, /stopping: no new stack starts/);
        assert.match(output, /\nfleet stopped: /);
        assert.ok(inFlight.length >= 1);
        assert.doesNotMatch(output, /received; terminating/);
        for (const cluster of inFlight) {
          const stack = cluster.replace(/^fleet-/, "local-");
          // Its pulumi heard the terminal's ^C itself, once.
          assert.equal(
            output.match(new RegExp(`^ {2}${stack} \\| pulumi: \\^C received; cancelling$`, "gm"))?.length,
            1,
            `${stack}:\n${output}`,
          );
          // The provider's own words: it heard pulumi's Cancel and ended its step. A second SIGINT
          // terminates pulumi and its plugins at once, and nothing would say this.
          assert.match(
            output,
            new RegExp(
              `^ {2}staging/${stack}: stopped: .*upgrade stopped after the steps in flight: Pulumi cancelled the update`,
              "m",
            ),
          );
          const { stdout } = await project.ok(["stack", "export", "--stack", stack]);
          const deployment = (JSON.parse(stdout) as { deployment: { pending_operations?: unknown[] } })
            .deployment;
          assert.deepEqual(deployment.pending_operations ?? [], [], `${stack}: no pending operation`);
        }
        assert.deepEqual(
          newEntries().filter((e) => e.cluster && stageOfCluster(e.cluster) === "prod"),
          [],
        );
      },
    );

    chapter(
      "a failure within staging's budget (1): the stage finishes, the failed stack is named, prod goes after staging soaked, at most 3 at a time",
      async () => {
        // Its last step (the general node group to 1.36), whatever the chapters before left it at:
        // a drain a PodDisruptionBudget blocks, which leaves the node group as it was.
        emulator.injectFault({
          kind: "updateFailure",
          cluster: "fleet-staging-3",
          nodegroup: "general",
          errorCode: "PodEvictionFailure",
          times: 5,
        });
        const { r, json } = await fleetUp();
        assert.equal(r.code, 1, r.output);
        assert.equal(json.outcome, "succeeded");
        assert.deepEqual(json.failedStacks, ["local-staging-3"]);
        assert.deepEqual(
          json.stages.map((s) => [s.name, s.outcome, s.failed]),
          [
            ["dev", "succeeded", 0],
            ["staging", "succeeded", 1],
            ["prod", "succeeded", 0],
          ],
        );
        // (read before the versions are: a look at a cluster is a call too)
        const entries = newEntries();
        for (const stack of stacksOf("prod")) assert.equal(await versionOf(clusterOf(stack)), "1.36", stack);
        const calls = (stage: string) =>
          entries.filter((e) => e.cluster && stageOfCluster(e.cluster) === stage);
        const last = (list: AuditEntry[]) => Math.max(...list.map((e) => e.time));
        const first = (list: AuditEntry[]) => Math.min(...list.map((e) => e.time));
        // Stages in order: no call of a stage before the last of the one before it.
        assert.ok(first(calls("staging")) > last(calls("dev")));
        assert.ok(first(calls("prod")) > last(calls("staging")));
        // The soak, on the emulator's clock: prod began after staging's last update had soaked.
        const lastStagingUpdate = last(calls("staging").filter((e) => e.mutating));
        assert.ok(first(calls("prod")) - lastStagingUpdate >= SOAK_HOURS * HOUR);
        for (const stage of ["dev", "staging", "prod"] as const) {
          const most = mostAtOnce(entries, stage);
          assert.ok(most <= { dev: 2, staging: 2, prod: 3 }[stage], `${stage}: ${most} stacks at once`);
        }
      },
    );

    chapter("a re-run converges: only the failed stack moves, and every update was issued once", async () => {
      emulator.clearFaults();
      // As a person runs it: progress lines, then the summary.
      const r = await project.cli(["fleet", "up", "--yes"]);
      assert.equal(r.code, 0, r.output);
      assert.match(r.stdout, /^ {2}local-staging-3 \| started {2}nodegroup:general:1\.36: /m);
      assert.match(r.stdout, /^stage prod: succeeded$/m);
      assert.match(r.stdout, /\nfleet succeeded: 12 of 12 stacks succeeded, 12 ran\n$/);
      const moved = [
        ...new Set(
          newEntries()
            .filter((e) => e.mutating)
            .map((e) => e.cluster),
        ),
      ];
      assert.deepEqual(moved, ["fleet-staging-3"]);
      for (const stack of ALL) assert.equal(await versionOf(clusterOf(stack)), "1.36", stack);
      // Over the whole story: each update once, but the two an injected fault failed.
      const updates = emulator
        .audit(0)
        .filter((e) => e.mutating && e.operation !== "TagResource" && e.operation !== "UntagResource");
      const count = new Map<string, number>();
      for (const [i, call] of callSummary(updates).entries()) {
        const key = `${updates[i]?.cluster} ${call}`;
        count.set(key, (count.get(key) ?? 0) + 1);
      }
      assert.deepEqual(
        [...count].filter(([, n]) => n > 1),
        [
          ["fleet-dev-1 controlPlane 1.36", 2],
          ["fleet-staging-3 nodegroup general 1.36", 2],
        ],
      );
    });

    chapter(
      "the rollout workflow's gate after staging: refused until the stage has soaked, naming until when (from its stacks' last change) and the re-run; then prod may start",
      async () => {
        const outcomes = join(project.dir, "outcomes");
        mkdirSync(outcomes, { recursive: true });
        for (const stack of stacksOf("staging")) writeFileSync(join(outcomes, stack), "success\n");
        // The expected times come from the stacks' own outputs: the last change among them.
        const changes = await Promise.all(
          stacksOf("staging").map(async (stack) => {
            const { stdout } = await project.ok([
              "stack",
              "output",
              "upgradedAt",
              "--json",
              "--stack",
              stack,
            ]);
            return { stack, at: Date.parse(JSON.parse(stdout) as string) };
          }),
        );
        const last = changes.reduce((a, b) => (b.at > a.at ? b : a));
        const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
        const fleetFile = join(project.dir, "fleet.yaml");
        const gate = async (soakHours: number) => {
          writeFileSync(
            fleetFile,
            readFileSync(fleetFile, "utf8").replace(
              /(name: staging[\s\S]*?soakHours: )\d+/,
              `$1${soakHours}`,
            ),
          );
          project.env.GITHUB_RUN_ID = "4242";
          try {
            return await project.cli(["fleet", "gate", "--stage", "staging", "--outcomes", outcomes]);
          } finally {
            delete project.env.GITHUB_RUN_ID;
          }
        };
        newEntries();
        // Prod ran after staging's 2 hours had passed (the chapters before); 100 hours have not.
        const early = await gate(100);
        assert.equal(early.code, 1, early.output);
        const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        // What is left, against the emulator's time when the gate asked (its audit).
        const first = newEntries();
        const asked = first.find((e) => e.operation === "DescribeClusterVersions");
        assert.ok(asked);
        const said = new RegExp(
          `^eks-upgrade: stage staging: 4 of 4 stacks done \\(maxFailures 1\\); soaking until ${esc(iso(last.at + 100 * HOUR))} \\(100 hours after ${last.stack}'s last change at ${esc(iso(last.at))}; (\\d+) h (\\d+) min from now, EKS's time\\)\\. Stage prod does not start before; then re-run this run's failed jobs \\(gh run rerun 4242 --failed\\): finished steps are not repeated\\.$`,
          "m",
        ).exec(early.stderr);
        assert.ok(said, early.stderr);
        const printed = (Number(said[1]) * 60 + Number(said[2])) * 60_000;
        const left = last.at + 100 * HOUR - asked.time;
        assert.ok(Math.abs(printed - left) < 2 * 60_000, `${printed} ms said, ${left} ms left`);
        const soaked = await gate(SOAK_HOURS);
        assert.equal(soaked.code, 0, soaked.output);
        assert.equal(
          soaked.stdout.trim(),
          `stage staging: 4 of 4 stacks done (maxFailures 1); soaked since ${iso(last.at + SOAK_HOURS * HOUR)} (${SOAK_HOURS} hours after ${last.stack}'s last change at ${iso(last.at)}): stage prod may start`,
        );
        // The gate read EKS's clock and changed nothing.
        const calls = [...first, ...newEntries()];
        assert.deepEqual(
          calls.filter((e) => e.mutating),
          [],
        );
        assert.deepEqual([...new Set(calls.map((e) => e.operation))], ["DescribeClusterVersions"]);
      },
    );

    chapter(
      "a stage selects stacks by Pulumi stack tag: the CLI, the program inside pulumi preview and the generated workflow read the same stacks",
      async () => {
        for (const stack of ["local-prod-1", "local-prod-2"])
          await project.ok(["stack", "tag", "set", "tier", "canary", "--stack", stack]);
        writeFileSync(
          join(project.dir, "fleet.yaml"),
          'stages:\n  - name: canary\n    stacks: ["tag:tier=canary"]\n  - name: rest\n    stacks: ["local-prod-[3-6]"]\n',
        );
        const matrix = await project.cli(["fleet", "matrix"]);
        assert.equal(matrix.code, 0, matrix.output);
        assert.equal(
          matrix.stdout.trim(),
          `stacks=${JSON.stringify({ canary: ["local-prod-1", "local-prod-2"], rest: ["local-prod-3", "local-prod-4", "local-prod-5", "local-prod-6"] })}`,
        );
        // The program reads the fleet inside pulumi: local-prod-3's upstreams are the two tagged
        // stacks, which run 1.36 (no soak): nothing refused, nothing to do.
        const preview = await project.run(["preview", "--stack", "local-prod-3", "--expect-no-changes"]);
        assert.equal(preview.code, 0, preview.output);
        // The rollout workflow reads the tags too: the CLI and its login where the fleet is read.
        const generated = await project.cli(["fleet", "workflow"]);
        assert.equal(generated.code, 0, generated.output);
        const workflow = parse(
          readFileSync(join(project.dir, ".github", "workflows", "fleet-rollout.yml"), "utf8"),
        ) as {
          jobs: Record<string, { steps: { uses?: string; run?: string; env?: Record<string, string> }[] }>;
        };
        for (const job of ["stacks", "gate-canary", "gate-rest"]) {
          const steps = workflow.jobs[job]?.steps ?? [];
          const install = steps.findIndex((x) => x.uses === "pulumi/actions@v6");
          const reads = steps.findIndex((x) => x.run?.includes("npx eks-upgrade fleet"));
          assert.ok(install >= 0 && install < reads, job);
          assert.equal(steps[reads]?.env?.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}", job);
        }
        // A tag no stack carries is a mistake in the fleet file, named where it is written.
        writeFileSync(
          join(project.dir, "fleet.yaml"),
          'stages:\n  - name: canary\n    stacks: ["tag:tier=nothing"]\n',
        );
        const none = await project.cli(["fleet", "matrix"]);
        assert.equal(none.code, 2, none.output);
        assert.match(
          none.stderr,
          /^eks-upgrade: fleet\.yaml, line 3, column 14: stages\[0\]\.stacks\[0\]: "tag:tier=nothing" matches no stack \(stacks: local-dev-1, /m,
        );
      },
    );
  },
);
