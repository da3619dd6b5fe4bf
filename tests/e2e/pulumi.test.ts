import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { EKSClient, UpdateAddonCommand } from "@aws-sdk/client-eks";
import { type AuditEntry, type Emulator, type SeedInput, startEmulator } from "../../emulator/src/index";
import demo from "../../emulator/seeds/demo.json";
import { ADDONS_1_35, DUMMY_CREDENTIALS } from "../support/emulator";
import { callSummary } from "../support/engine";
import { ROOT } from "../support/provider";
import { chapters } from "../support/chapters";
import { eventually } from "../support/eventually";
import { PulumiProject, requirePulumi, type RunResult } from "../support/pulumi";

/*
 * The product as its users run it: the real `pulumi` binary (v3.248.0, built from Go modules by
 * `npm run pulumi:install`), the shipped `local` stack file and Pulumi program, a local file
 * backend, and the emulator in place of AWS. One emulator and one throwaway project for the file;
 * the tests run in order, each starting from the state the one before left.
 */

const TIME_SCALE = 0.002;
const toolchain = requirePulumi();

/** The program's three add-ons at their 1.34 defaults: nothing for the add-ons to do on 1.34. */
const ADDONS_1_34 = {
  "vpc-cni": "v1.20.4-eksbuild.2",
  coredns: "v1.12.3-eksbuild.1",
  "kube-proxy": "v1.34.0-eksbuild.2",
};

/** demo.json's cluster (its add-ons make the longest plan lines), plus small clusters of their own for the tests that are not chapters of its story. */
function seed(): SeedInput {
  return {
    ...(demo as SeedInput),
    timeScale: TIME_SCALE,
    clusters: [
      ...(demo.clusters as NonNullable<SeedInput["clusters"]>),
      {
        name: "gated",
        version: "1.34",
        addons: ADDONS_1_34,
        nodegroups: [{ name: "general", amiType: "AL2023_x86_64_STANDARD", version: "1.34", desiredSize: 2 }],
      },
      {
        // Bottlerocket on 1.34 as published: 1.51.0-47438798 (an all-digit build id), 1.54.0, 1.58.0.
        name: "rocket",
        version: "1.34",
        addons: ADDONS_1_34,
        nodegroups: [
          {
            name: "newest",
            amiType: "BOTTLEROCKET_x86_64",
            version: "1.34",
            releaseVersion: "1.58.0-c5c37032",
          },
          {
            name: "behind",
            amiType: "BOTTLEROCKET_ARM_64",
            version: "1.34",
            releaseVersion: "1.54.0-5043decc",
          },
        ],
      },
      {
        // Two node groups behind the newest 1.35 release; add-ons at their defaults.
        name: "one",
        version: "1.35",
        addons: ADDONS_1_35,
        nodegroups: ["general", "batch"].map((name) => ({
          name,
          amiType: "AL2023_x86_64_STANDARD",
          version: "1.35",
          releaseVersion: "1.35.0-20260114",
          desiredSize: 2,
        })),
      },
      {
        name: "brakes",
        version: "1.34",
        addons: ADDONS_1_34,
        nodegroups: [{ name: "general", amiType: "AL2023_x86_64_STANDARD", version: "1.34", desiredSize: 2 }],
      },
      {
        name: "brakes-ci",
        version: "1.34",
        addons: ADDONS_1_34,
        nodegroups: [{ name: "general", amiType: "AL2023_x86_64_STANDARD", version: "1.34", desiredSize: 2 }],
      },
      {
        name: "paused",
        version: "1.35",
        addons: ADDONS_1_35,
        nodegroups: [{ name: "general", amiType: "AL2023_x86_64_STANDARD", version: "1.35", desiredSize: 2 }],
      },
    ],
  };
}

const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "latin1").replace(/\0/g, " ");
  } catch {
    return "";
  }
};

const mutating = (entries: AuditEntry[]) => entries.filter((e) => e.mutating);

/** The plan items a `pulumi preview --diff` shows, as `step`, `versions` and `why` lines of each. */
function previewItems(stdout: string): { step: string; versions: string }[] {
  const lines = stdout.split("\n").map((l) => l.trim());
  return lines.flatMap((l, i) => {
    const step = /^step +: "(.*)"$/.exec(l)?.[1];
    const versions = /^versions: "(.*)"$/.exec(lines[i + 1] ?? "")?.[1];
    return step && versions ? [{ step, versions }] : [];
  });
}

/** Pulumi's diff display cuts a string over 150 characters and ends it with `..."`. */
const CUT = /\.\.\."$/;

describe(
  "eks-upgrade through the real Pulumi CLI",
  { skip: "skip" in toolchain ? toolchain.skip : false },
  () => {
    let emulator: Emulator;
    let project: PulumiProject;
    let since = 0;
    const trackedLocal = readFileSync(join(ROOT, "Pulumi.local.yaml"), "utf8");

    /** The mutating calls since the last look. */
    const newCalls = () => {
      const entries = emulator.audit(since);
      since = entries.at(-1)?.seq ?? since;
      return mutating(entries);
    };
    const local = (args: string[], onStart?: Parameters<PulumiProject["run"]>[1]) =>
      project.run([...args, "--stack", "local"], onStart);
    /** A stack of the throwaway project for the seed's cluster of that name: existing mode, this emulator. */
    const addStack = async (cluster: string, extra: string[]) => {
      const config = [
        "config:",
        "  aws:region: us-east-1",
        "  eks-upgrade:mode: existing",
        `  eks-upgrade:clusterName: ${cluster}`,
        `  eks-upgrade:endpoints: { eks: "${emulator.url}", ssm: "${emulator.url}" }`,
        ...extra,
      ];
      writeFileSync(join(project.dir, `Pulumi.${cluster}.yaml`), `${config.join("\n")}\n`);
      await project.ok(["stack", "init", cluster]);
    };
    const setLocal = (key: string, value: string) =>
      project.ok(["config", "set", "--path", `eks-upgrade:${key}`, value, "--stack", "local"]);
    let localAsCreated = "";

    /**
     * A chapter of the local stack's story (preview, up, up again, refusals, refresh, a promotion
     * from it, a cancelled run): each starts where the one before left the stack. After a chapter
     * fails, the later ones are skipped naming it, so one bug shows as one failure.
     */
    const chapter = chapters("the local stack");

    before(async () => {
      if ("skip" in toolchain) return;
      emulator = await startEmulator({ seed: seed(), port: 0 });
      project = new PulumiProject(toolchain.binDir);
      // The local stack, as a newcomer creates it from a clone; only the port differs from the
      // shipped stack file: the emulator runs on a free one.
      project.addStackFile("Pulumi.local.yaml");
      await project.ok(["stack", "init", "local"]);
      localAsCreated = project.file("Pulumi.local.yaml");
      await setLocal("endpoints.eks", emulator.url);
      await setLocal("endpoints.ssm", emulator.url);
    });

    after(async () => {
      project?.dispose();
      await emulator?.stop();
    });

    it("creating the local stack from a clone leaves its stack file as shipped", () => {
      // The file carries the salt of the empty passphrase and values Pulumi writes back unchanged.
      assert.equal(localAsCreated, trackedLocal);
    });

    let preview: RunResult;
    it("pulumi preview shows the ordered plan and the warnings, nothing cut, and makes no change", async () => {
      preview = await local(["preview", "--diff"]);
      assert.equal(preview.code, 0, preview.output);
      const lines = preview.stdout.split("\n");
      /** The first line matching `re` (and followed by a plan item's versions when given). */
      const at = (re: RegExp, versions?: string) => {
        const i = lines.findIndex(
          (l, n) => re.test(l) && (!versions || lines[n + 1]?.trim() === `versions: "${versions}"`),
        );
        assert.ok(i >= 0, `no line matches ${re} ${versions ?? ""}\n${preview.stdout}`);
        return i;
      };
      // One item per step: its name, phase and estimate, then its versions, then why.
      const item = (step: string, versions: string) =>
        at(new RegExp(`^ +step +: "\\d+\\. ${step} \\(phase \\d+, ~[\\d.]+ min\\)"$`), versions);
      const cp134 = item("control plane", "1.33 -> 1.34");
      const cp135 = item("control plane", "1.34 -> 1.35");
      const ebs = item("add-on aws-ebs-csi-driver", "v1.48.0-eksbuild.2 -> v1.51.1-eksbuild.1");
      const podIdentity = item("add-on eks-pod-identity-agent", "v1.3.4-eksbuild.1 -> v1.3.10-eksbuild.3");
      const firstNode = at(/^ +step +: "\d+\. node group /);
      assert.match(
        preview.stdout,
        /^ +estimate +: "19 steps, ~\d+ min \(the add-ons of one phase together, node groups one at a time\)"$/m,
      );
      assert.ok(Math.max(ebs, podIdentity) < firstNode && cp134 < cp135 && cp135 < firstNode);
      assert.match(
        preview.stdout,
        /EKSUP102 eks-upgrade:upgrade\.insights: insight \\"Deprecated APIs removed in Kubernetes v1\.35\\" reports WARNING/,
      );
      assert.match(
        preview.stdout,
        /Review the insight \(aws eks describe-insight\)/,
        "the remedy is there too",
      );
      // Support windows as EKS reports them (DescribeClusterVersions), in the preview.
      assert.match(
        preview.stdout,
        /EKSUP107 eks-upgrade:clusterVersion: the way to 1\.35 passes 1\.34 \(extended support until 2027-12-02\)/,
      );
      assert.match(preview.stdout, /"1\.33: extended support until 2027-07-29"/);
      assert.deepEqual(
        lines.filter((l) => CUT.test(l.trimEnd())),
        [],
        "Pulumi cut no line of the diff display",
      );
      // No SDK noise, and no note of ours about the Node.js runtime (it is in eks-upgrade --version).
      assert.doesNotMatch(preview.output, /NodeVersionSupportWarning/);
      assert.doesNotMatch(preview.output, /note: Node\.js/);
      assert.deepEqual(newCalls(), []);
    });

    chapter(
      "pulumi up: insights refreshed, then control plane, add-ons, node groups; one progress line per step event",
      async () => {
        const up = await local(["up", "--yes", "--skip-preview"]);
        assert.equal(up.code, 0, up.output);
        const operations = emulator.audit(since).map((e) => (e.mutating ? "change" : e.operation));
        assert.ok(
          operations.includes("StartInsightsRefresh") &&
            operations.indexOf("StartInsightsRefresh") < operations.indexOf("change"),
          "the insights are refreshed before the first change",
        );
        const calls = callSummary(newCalls());
        const cps = calls.filter((c) => c.startsWith("controlPlane"));
        assert.deepEqual(cps, ["controlPlane 1.34", "controlPlane 1.35"]);
        const lastCp = calls.lastIndexOf("controlPlane 1.35");
        const firstNode = calls.findIndex((c) => c.startsWith("nodegroup"));
        assert.ok(firstNode > lastCp, calls.join("\n"));
        assert.ok(
          calls.slice(firstNode).every((c) => c.startsWith("nodegroup")),
          calls.join("\n"),
        );
        assert.ok(
          calls.slice(lastCp + 1, firstNode).every((c) => c.startsWith("addon")) && firstNode - lastCp > 1,
          "the add-ons follow the last control-plane step before any node group",
        );
        assert.equal(new Set(calls).size, calls.length, "no update issued twice");

        // Progress: Diagnostics repeats each line once; no line appears twice there.
        const diagnostics = up.stdout.slice(up.stdout.lastIndexOf("Diagnostics:"));
        const progress = diagnostics.split("\n").filter((l) => /\[eks-upgrade demo\] /.test(l));
        assert.equal(new Set(progress).size, progress.length, progress.join("\n"));
        assert.ok(
          progress.some((l) => /\] started {2}controlPlane:1\.34: 1\.33 -> 1\.34 \(update [\w-]+\)$/.test(l)),
        );
        assert.ok(progress.some((l) => /\] done {5}nodegroup:general:1\.35 in \d+m\d\ds$/.test(l)));
        // A line when a step starts and when it ends, and one "still running" per 10 minutes of a
        // long step: far fewer than one per poll.
        const starts = progress.filter((l) => /\] started /.test(l)).length;
        assert.equal(starts, calls.length, "one started line per update");
        assert.ok(
          progress.length <= 3 * calls.length,
          `${progress.length} progress lines for ${calls.length} steps`,
        );

        const outputs = JSON.parse(
          (await project.ok(["stack", "output", "--json", "--stack", "local"])).stdout,
        );
        const state = emulator.state().clusters.find((c) => c.name === "demo")!;
        assert.equal(outputs.controlPlaneVersion, "1.35");
        // The summary's outputs say what moved in a line each: no item-by-item list of plan lines.
        assert.match(
          outputs.lastRun,
          new RegExp(
            `^1\\.33 -> 1\\.35: ${calls.length} steps \\(${calls.length} updated\\) in \\d+m\\d\\ds$`,
          ),
        );
        assert.doesNotMatch(up.stdout.slice(up.stdout.lastIndexOf("Outputs:")), /\[\d+\]: "/);
        assert.equal(state.version, "1.35");
        assert.deepEqual(
          outputs.nodeGroupReleases,
          Object.fromEntries(state.nodegroups.map((n) => [n.name, n.releaseVersion])),
        );
        const upgrade = await project.upgradeState("local");
        assert.deepEqual(
          upgrade.plan,
          [],
          "after up, the plan output is what a check now says: nothing left",
        );
        assert.ok(
          (upgrade.lastPlan as { step: string; versions: string }[]).some(
            (i) => /control plane/.test(i.step) && i.versions === "1.34 -> 1.35",
          ),
        );
        assert.equal(upgrade.estimate, "nothing to do");
      },
    );

    chapter("a second pulumi up changes nothing", async () => {
      const up = await local(["up", "--yes"]);
      assert.equal(up.code, 0, up.output);
      assert.deepEqual(newCalls(), []);
      assert.match(up.stdout, /2 unchanged/);
    });

    for (const refusal of [
      {
        what: "a lowered clusterVersion",
        key: "clusterVersion",
        value: "1.34",
        restore: "1.35",
        message: /EKSUP001 eks-upgrade:clusterVersion: 1\.34 is lower than the control plane's 1\.35/,
        // 1.34 is where the last upgrade started: the remedy is the rollback, as steps to follow.
        remedy:
          /To roll back: \(1\) review the rollback plan with eks-upgrade rollback --cluster demo --region us-east-1 --endpoint http:\/\/127\.0\.0\.1:\d+; \(2\) run the same command with --yes; \(3\) then record what runs: pulumi config set --path 'eks-upgrade:clusterVersion' 1\.34/,
      },
      {
        what: "a pinned Bottlerocket release AWS does not publish",
        key: "nodeGroups.bottlerocket.amiReleaseVersion",
        value: "1.60.0-20260101",
        restore: "latest",
        message:
          /EKSUP018 eks-upgrade:nodeGroups\.bottlerocket\.amiReleaseVersion: 1\.60\.0-20260101 does not exist for BOTTLEROCKET_ARM_64 on Kubernetes 1\.35/,
      },
      {
        what: "a pinned AMI release below the running one",
        key: "nodeGroups.general.amiReleaseVersion",
        value: "1.35.0-20260114",
        restore: "latest",
        message: /EKSUP006 /,
      },
    ]) {
      chapter(
        `${refusal.what} is refused at preview and at up --skip-preview, naming the stack config key`,
        async () => {
          await setLocal(refusal.key, refusal.value);
          try {
            for (const args of [["preview"], ["up", "--yes", "--skip-preview"]]) {
              const r = await local(args);
              assert.notEqual(r.code, 0, r.output);
              assert.match(r.output, refusal.message);
              if ("remedy" in refusal && refusal.remedy) assert.match(r.output, refusal.remedy);
              assert.match(r.output, new RegExp(`eks-upgrade:${refusal.key.replace(/\./g, "\\.")}\\b`));
              // Pulumi's framing: a top-level key with the value as set, a nested one without "{<nil>}".
              assert.match(
                r.output,
                refusal.key.includes(".")
                  ? /resource '[\w-]+' has a problem: EKSUP\d+ /
                  : new RegExp(`property ${refusal.key} value \\{${refusal.value}\\} has a problem: EKSUP`),
              );
              assert.doesNotMatch(r.output, /<nil>/);
              assert.deepEqual(newCalls(), [], `${args[0]}: no mutating call`);
            }
          } finally {
            await setLocal(refusal.key, refusal.restore);
          }
        },
      );
    }

    it("Bottlerocket: preview proposes only the group behind; up moves it to the newest published release, never back", async () => {
      await addStack("rocket", ['  eks-upgrade:clusterVersion: "1.34"']);
      const preview = await project.run(["preview", "--diff", "--stack", "rocket"]);
      assert.equal(preview.code, 0, preview.output);
      assert.deepEqual(previewItems(preview.stdout), [
        {
          step: "1. node group behind (phase 1, ~10 min)",
          versions: "1.34 1.54.0-5043decc -> 1.34 1.58.0-c5c37032",
        },
      ]);
      assert.deepEqual(newCalls(), []);
      const up = await project.run(["up", "--yes", "--stack", "rocket"]);
      assert.equal(up.code, 0, up.output);
      assert.deepEqual(
        newCalls().map((e) => [e.nodegroup, (e.params as { releaseVersion?: string }).releaseVersion]),
        [["behind", "1.58.0-c5c37032"]],
      );
      const state = emulator.state().clusters.find((c) => c.name === "rocket");
      assert.deepEqual(
        state?.nodegroups.map((n) => [n.name, n.releaseVersion]),
        [
          ["newest", "1.58.0-c5c37032"],
          ["behind", "1.58.0-c5c37032"],
        ],
      );
    });

    chapter(
      "pulumi refresh --expect-no-changes passes when nothing moved outside, and fails naming what did",
      async () => {
        const quiet = await local(["refresh", "--yes", "--expect-no-changes"]);
        assert.equal(quiet.code, 0, quiet.output);
        // fleet status compares each stack's outputs (its last up) with EKS: its drift column.
        const fleetFile = join(project.dir, "fleet.yaml");
        writeFileSync(fleetFile, "stages:\n  - name: local\n    stacks: [local]\n");
        const drift = async () => {
          const status = await project.cli(["fleet", "status", "--format", "json"]);
          const rows = (JSON.parse(status.stdout) as { stacks: { stack: string; drift?: string[] }[] })
            .stacks;
          return rows.find((r) => r.stack === "local")?.drift;
        };
        assert.deepEqual(await drift(), [], "nothing moved");
        const eks = new EKSClient({
          region: emulator.region,
          endpoint: emulator.url,
          credentials: DUMMY_CREDENTIALS,
        });
        try {
          await eks.send(
            new UpdateAddonCommand({
              clusterName: "demo",
              addonName: "coredns",
              addonVersion: "v1.13.2-eksbuild.21",
            }),
          );
        } finally {
          eks.destroy();
        }
        newCalls();
        const before = (await project.upgradeState("local")).versions as { addons: Record<string, string> };
        try {
          assert.deepEqual(await drift(), [`add-on coredns ${before.addons.coredns} -> v1.13.2-eksbuild.21`]);
        } finally {
          rmSync(fleetFile);
        }
        // The drift workflow's command (.github/workflows/drift.yml): it fails, names what moved in
        // the line the workflow's summary picks, and writes nothing.
        const check = await local(["refresh", "--preview-only", "--expect-no-changes", "--diff"]);
        assert.notEqual(check.code, 0, check.output);
        assert.match(
          check.output,
          new RegExp(
            `moved outside since the last run: add-on coredns: ${before.addons.coredns?.replace(/\./g, "\\.")} -> v1\\.13\\.2-eksbuild\\.21`,
          ),
        );
        assert.deepEqual(
          (await project.upgradeState("local")).versions,
          before,
          "a preview-only refresh writes nothing",
        );
        const refresh = await local(["refresh", "--yes", "--expect-no-changes"]);
        assert.notEqual(refresh.code, 0, refresh.output);
        const state = await project.upgradeState("local");
        const versions = state.versions as { addons: Record<string, string> };
        assert.equal(versions.addons.coredns, "v1.13.2-eksbuild.21");
        assert.deepEqual(state.drift, [`add-on coredns: ${before.addons.coredns} -> v1.13.2-eksbuild.21`]);
        assert.match(refresh.output, /add-on coredns: v[\d.]+-eksbuild\.\d+ -> v1\.13\.2-eksbuild\.21/);
        // The refresh took the change into the state: the next one has nothing new to report.
        const again = await local(["refresh", "--yes", "--expect-no-changes"]);
        assert.equal(again.code, 0, again.output);
        assert.deepEqual(newCalls(), []);
      },
    );

    chapter(
      "the promotion gate refuses an unsoaked target through two real stacks: pulumi preview, eks-upgrade plan --stack and apply --stack alike",
      async () => {
        await addStack("gated", [
          '  eks-upgrade:clusterVersion: "1.35"',
          "  eks-upgrade:promotion:",
          "    upstreamStack: organization/eks-upgrade/local",
          "    soakHours: 72",
        ]);
        const r = await project.run(["preview", "--stack", "gated"]);
        assert.notEqual(r.code, 0, r.output);
        const refusal =
          /EKSUP017 eks-upgrade:clusterVersion: the upstream stack organization\/eks-upgrade\/local has run 1\.35 for \d+ hours; 72 hours of soak are required before 1\.35 goes here/;
        assert.match(r.output, refusal);
        // The CLI reads the same stack file and the same upstream outputs: the same refusal, exit 2.
        for (const command of [["plan"], ["apply", "--yes"]]) {
          const cli = await project.cli([...command, "--stack", "gated"]);
          assert.equal(cli.code, 2, cli.output);
          // (the CLI wraps findings at 100 columns: join the continuation lines)
          assert.match(cli.output.replace(/\n +/g, " "), refusal);
        }
        assert.deepEqual(newCalls(), []);
      },
    );

    chapter(
      "in a fleet the stage before is the gate: pulumi preview and eks-upgrade plan --stack refuse a target the stage's stacks have not soaked, naming each",
      async () => {
        const config = [
          "config:",
          "  aws:region: us-east-1",
          "  eks-upgrade:mode: existing",
          "  eks-upgrade:clusterName: gated",
          '  eks-upgrade:clusterVersion: "1.35"',
          `  eks-upgrade:endpoints: { eks: "${emulator.url}", ssm: "${emulator.url}" }`,
        ];
        writeFileSync(join(project.dir, "Pulumi.fleet-gated.yaml"), `${config.join("\n")}\n`);
        await project.ok(["stack", "init", "fleet-gated"]);
        const fleetFile = join(project.dir, "fleet.yaml");
        writeFileSync(
          fleetFile,
          "stages:\n  - name: first\n    stacks: [local]\n    soakHours: 72\n  - name: second\n    stacks: [fleet-gated]\n",
        );
        try {
          // The same words from the program (a StackReference per stack of the stage) and the CLI.
          const refusal =
            /EKSUP017 eks-upgrade:clusterVersion: the upstream stack local has run 1\.35 for \d+ hours; 72 hours of soak are required before 1\.35 goes here/;
          const r = await project.run(["preview", "--stack", "fleet-gated"]);
          assert.notEqual(r.code, 0, r.output);
          assert.match(r.output, refusal);
          const cli = await project.cli(["plan", "--stack", "fleet-gated"]);
          assert.equal(cli.code, 2, cli.output);
          assert.match(cli.output.replace(/\n +/g, " "), refusal);
          assert.deepEqual(newCalls(), []);
        } finally {
          rmSync(fleetFile);
        }
      },
    );
    chapter(
      "a cancelled CI job (SIGINT, then SIGKILL): the provider stops by itself; pulumi cancel and up resume without repeating a step",
      async () => {
        await setLocal("clusterVersion", "1.36");
        newCalls();
        let pulumiPid: number | undefined;
        const done = local(["up", "--yes", "--skip-preview"], (child) => (pulumiPid = child.pid));
        // Cancel while the control plane moves to 1.36, as a CI job cancelled mid-upgrade does.
        for (
          let i = 0;
          i < 1500 && !emulator.audit(since).some((e) => e.operation === "UpdateClusterVersion");
          i++
        )
          await new Promise((r) => setTimeout(r, 20));
        assert.ok(pulumiPid, "the pulumi process is running");
        process.kill(pulumiPid, "SIGINT");
        await new Promise((r) => setTimeout(r, 500));
        process.kill(pulumiPid, "SIGKILL");
        const interrupted = await done;
        assert.equal(interrupted.signal, "SIGKILL");
        // The orphaned provider host notices and stops between polls (bounded wait, by PID). Other
        // orphans of the killed CLI (its language host) are Pulumi's; dispose() stops them by PID.
        const hosts = () => project.processes().filter((pid) => /dynamic-provider/.test(commandLine(pid)));
        for (let i = 0; i < 150 && hosts().length; i++) await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual(hosts(), [], "the provider host of the interrupted run stopped by itself");
        const first = callSummary(newCalls());
        assert.ok(first.includes("controlPlane 1.36"));
        assert.ok(!first.some((c) => c.startsWith("nodegroup")), "stopped before the node groups");

        // The documented way out: release the lock the killed CLI left, then up again.
        await project.ok(["cancel", "--yes", "--stack", "local"]);
        const resumed = await local(["up", "--yes", "--skip-preview"]);
        assert.equal(resumed.code, 0, resumed.output);
        const second = callSummary(newCalls());
        assert.ok(
          !second.some((c) => first.includes(c)),
          `nothing issued twice:\n${first.join("\n")}\n--\n${second.join("\n")}`,
        );
        assert.equal(emulator.state().clusters.find((c) => c.name === "demo")!.version, "1.36");
        assert.ok(second.some((c) => c.startsWith("nodegroup")));
      },
    );

    it("one thing at a time: eks-upgrade plan --stack --only nodegroup:general, and current in the stack file, each plan exactly one step; up issues it alone", async () => {
      await addStack("one", ['  eks-upgrade:clusterVersion: "1.35"']);
      const only = await project.cli([
        "plan",
        "--stack",
        "one",
        "--only",
        "nodegroup:general",
        "--format",
        "json",
      ]);
      assert.equal(only.code, 0, only.output);
      assert.deepEqual(
        (JSON.parse(only.stdout) as { steps: { id: string }[] }).steps.map((s) => s.id),
        ["nodegroup:general:1.35"],
      );
      await project.ok([
        "config",
        "set",
        "--path",
        "eks-upgrade:nodeGroups.batch.amiReleaseVersion",
        "current",
        "--stack",
        "one",
      ]);
      const preview = await project.run(["preview", "--diff", "--stack", "one"]);
      assert.equal(preview.code, 0, preview.output);
      const items = previewItems(preview.stdout);
      assert.equal(items.length, 1, JSON.stringify(items));
      assert.match(items[0]?.step ?? "", /^1\. node group general \(phase 1, ~[\d.]+ min\)$/);
      assert.match(items[0]?.versions ?? "", /^1\.35 1\.35\.0-20260114 -> 1\.35 /);
      const up = await project.run(["up", "--yes", "--skip-preview", "--stack", "one"]);
      assert.equal(up.code, 0, up.output);
      assert.deepEqual(callSummary(newCalls()), ["nodegroup general 1.35"]);
    });

    /** Resolves once `test` holds for the output so far (bounded: about 30 seconds). */
    const until = async (output: () => string, test: RegExp) => {
      await eventually(() => test.test(output()));
      assert.match(output(), test);
    };
    /** Resolves once the emulator has received an UpdateClusterVersion to `version`, then holds its clock. */
    const holdAtControlPlane = async (version: string) => {
      const issued = () =>
        emulator
          .audit(since)
          .some(
            (e) =>
              e.operation === "UpdateClusterVersion" &&
              (e.params as { version?: string }).version === version,
          );
      assert.ok(await eventually(issued), `no UpdateClusterVersion to ${version}`);
      emulator.pauseClock();
    };

    for (const way of [
      { cluster: "brakes", how: "one Ctrl-C at a terminal", terminal: true },
      { cluster: "brakes-ci", how: "a SIGINT to the pulumi process (a CI runner's cancel)", terminal: false },
    ])
      // (The resume after the stop is the same whichever way the stop came: the first proves it.)
      it(`${way.how} during a control-plane step of a two-minor upgrade: that step ends, nothing after it starts, the outputs stay${way.terminal ? "; the next up issues each update once" : ""}`, async () => {
        const stack = way.cluster;
        await addStack(stack, ['  eks-upgrade:clusterVersion: "1.34"']);
        await project.ok(["up", "--yes", "--stack", stack]);
        assert.deepEqual(newCalls(), [], "nothing to do on 1.34");
        const outputsBefore = (await project.ok(["stack", "output", "--json", "--stack", stack])).stdout;
        await project.ok(["config", "set", "eks-upgrade:clusterVersion", "1.36", "--stack", stack]);

        const args = ["up", "--yes", "--skip-preview", "--stack", stack];
        let output: () => string;
        let done: Promise<RunResult>;
        let cancel: () => void;
        if (way.terminal) {
          const terminal = project.runInTerminal(args);
          ({ done, output } = terminal);
          cancel = terminal.ctrlC;
        } else {
          let pid = 0;
          let seen = "";
          done = project.run(args, (child) => {
            pid = child.pid ?? 0;
            child.stdout?.on("data", (d: Buffer) => (seen += d));
          });
          output = () => seen;
          cancel = () => process.kill(pid, "SIGINT");
        }
        try {
          await holdAtControlPlane("1.35");
          cancel();
          // The provider sees Pulumi's Cancel and says so at its next poll; the step goes on.
          await until(output, /stopping after controlPlane:1\.35: Pulumi cancelled the update/);
        } finally {
          emulator.resumeClock();
        }
        const stopped = await done;
        assert.notEqual(stopped.code, 0, stopped.output);
        assert.match(stopped.output, /\^C received; cancelling/);
        assert.match(stopped.output, /done {5}controlPlane:1\.35/);
        assert.match(
          stopped.output.replace(/\s+/g, " "),
          /upgrade stopped after the steps in flight: Pulumi cancelled the update \(Ctrl-C, or a cancelled job\)\. \d+ of \d+ steps done \(the last: controlPlane:1\.35\)/,
        );
        const first = callSummary(newCalls());
        assert.equal(
          first.at(-1),
          "controlPlane 1.35",
          `nothing after the step in flight:\n${first.join("\n")}`,
        );
        assert.ok(!first.includes("controlPlane 1.36"));
        const state = await project.upgradeState(stack);
        assert.equal(
          (state.versions as { controlPlane: string }).controlPlane,
          "1.35",
          "the state says what moved",
        );
        assert.equal(
          (await project.ok(["stack", "output", "--json", "--stack", stack])).stdout,
          outputsBefore,
          "the stack outputs stay",
        );

        if (!way.terminal) return;
        const resumed = await project.run(["up", "--yes", "--skip-preview", "--stack", stack]);
        assert.equal(resumed.code, 0, resumed.output);
        const second = callSummary(newCalls());
        const all = [...first, ...second];
        assert.equal(new Set(all).size, all.length, `every update issued once:\n${all.join("\n")}`);
        assert.equal(emulator.state().clusters.find((c) => c.name === stack)?.version, "1.36");
      });

    it("eks-upgrade pause from a second process during pulumi up: stops after the step in flight naming who and why; preview shows the finding; resume and up finish", async () => {
      await addStack("paused", ['  eks-upgrade:clusterVersion: "1.36"']);
      const up = project.run(["up", "--yes", "--skip-preview", "--stack", "paused"]);
      let pause: RunResult;
      try {
        await holdAtControlPlane("1.36");
        pause = await project.cli([
          "pause",
          "--stack",
          "paused",
          "--reason",
          "error budget burn: incident 42",
        ]);
        assert.equal(pause.code, 0, pause.output);
      } finally {
        emulator.resumeClock();
      }
      const stopped = await up;
      assert.notEqual(stopped.code, 0, stopped.output);
      const who = /paused by (arn:aws:iam::\d{12}:\S+) at (\S+Z): error budget burn: incident 42/.exec(
        pause.stdout,
      );
      assert.ok(who, pause.stdout);
      assert.ok(
        stopped.output
          .replace(/\s+/g, " ")
          .includes(
            `upgrade stopped after the steps in flight: cluster paused is paused by ${who[1]} at ${who[2]}: error budget burn: incident 42.`,
          ),
        stopped.output,
      );
      const calls = callSummary(newCalls());
      const tagged = calls.findIndex((c) => c.startsWith("tag paused "));
      assert.ok(tagged > 0, calls.join("\n"));
      assert.deepEqual(calls.slice(tagged + 1), [], "no update after the pause");
      assert.equal(calls[tagged - 1], "controlPlane 1.36", "the step in flight was the control plane's");

      const preview = await project.run(["preview", "--stack", "paused"]);
      assert.notEqual(preview.code, 0, preview.output);
      assert.match(
        preview.output,
        /EKSUP033 eks-upgrade:clusterName: cluster paused is paused by arn:aws:iam::/,
      );
      assert.deepEqual(newCalls(), []);

      const resume = await project.cli(["resume", "--stack", "paused"]);
      assert.equal(resume.code, 0, resume.output);
      const again = await project.run(["up", "--yes", "--skip-preview", "--stack", "paused"]);
      assert.equal(again.code, 0, again.output);
      const updates = [...calls, ...callSummary(newCalls())].filter((c) => !/^(un)?tag /.test(c));
      assert.equal(new Set(updates).size, updates.length, `every update issued once:\n${updates.join("\n")}`);
    });

    it("the checked-in stack file is untouched", () => {
      assert.equal(readFileSync(join(ROOT, "Pulumi.local.yaml"), "utf8"), trackedLocal);
    });
  },
);
