#!/usr/bin/env node
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  type Clients,
  type ClusterRef,
  createClients,
  describeFinding,
  emulatorRegion,
  destroyClients,
  inspect,
  inspectRollback,
  needsFreshInsights,
  type Plan,
  refreshForApply,
  type KeyRenderer,
  operationalFinding,
  type Inspection,
  type Observed,
  observe,
  restrictPlan,
  describePause,
  pauseCluster,
  pauseReasonProblem,
  resumeCluster,
  runningVersions,
  runtimeNotice,
  timeScaleOf,
  wrapLine,
} from "@eks-upgrade/engine";
import { Command, CommanderError, Option } from "commander";
import { applyPlan, ask, confirm } from "./apply";
import { ApplyReport } from "./apply-report";
import { flagKey } from "./keys";
import { runDemo } from "./demo";
import { runFleetDemo } from "./demo-fleet";
import { kubeconfig } from "./kubeconfig";
import { CliError, EXIT } from "./errors";
import {
  type ClusterOptions,
  clusterOrStack,
  clusterRef,
  minorFlag,
  parseOnly,
  type RollbackOptions,
  rollbackSpec,
  specAndScale,
  type TargetOptions,
  timeScale,
} from "./options";
import { FORMATS, type Format, renderPlan } from "./render";
import { FLEET_FILE, FleetFileError, loadFleet, unstaged } from "../infra/fleet";
import { fleetPlan, renderFleetPlan } from "./fleet-plan";
import { runFleet } from "./fleet-run";
import { stageNamed, withStackProgress } from "./fleet-stacks";
import { automationRunner, FROM_TERMINAL, fleetEventLine, fleetSummary } from "./fleet-up";
import { fleetGate } from "./fleet-gate";
import { fleetMatrix, fleetWorkflow, WORKFLOW_FILE } from "./fleet-workflow";
import { fleetStatus, renderFleetStatus } from "./fleet-status";
import { gatherStatus, renderStatus } from "./status";
import { packageVersion } from "./version";
import { outputWidth } from "./layout";

const write = (s: string) => process.stdout.write(`${s}\n`);

/** What a plan says, to tell whether fresh insights changed it. */
const planText = (p: Plan) => JSON.stringify([p.lines, p.violations.map((v) => `${v.code} ${v.message}`)]);

function clusterOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--cluster <name>", "the EKS cluster")
    .option("--region <region>", "its AWS region (default: AWS_REGION)")
    .option("--endpoint <url>", "EKS, SSM and STS endpoint, for the local emulator");
}

/** The cluster by --cluster, or by a stack's config: plan, apply, pause and resume. */
function stackOrClusterOptions(cmd: Command, stackHelp: string): Command {
  return cmd
    .option("--stack <name>", stackHelp)
    .option("--cluster <name>", "the EKS cluster (required without --stack)")
    .option("--region <region>", "its AWS region (default: the stack's aws:region, or AWS_REGION)")
    .option("--endpoint <url>", "EKS, SSM and STS endpoint, for the local emulator");
}

function targetOptions(cmd: Command): Command {
  return stackOrClusterOptions(
    cmd,
    "take the cluster and desired versions from Pulumi.<name>.yaml (options below override)",
  )
    .option(
      "--cluster-version <minor>",
      'the Kubernetes minor to end on, like "1.32" (the stack key clusterVersion; required without --stack)',
    )
    .addOption(new Option("--to <minor>", "short for --cluster-version"))
    .option(
      "--addons <list>",
      "add-on versions: name=default|latest|<version>, comma-separated (others follow default)",
    )
    .option(
      "--ami-release-version <list>",
      "node group AMI releases: name=latest|<release>, comma-separated (the stack key nodeGroups.<name>.amiReleaseVersion)",
    )
    .option(
      "--launch-template-version <list>",
      "custom-AMI node groups' launch template versions: name=<version>, comma-separated",
    )
    .addOption(
      new Option(
        "--nodegroups <list>",
        "former form: name=<release>|lt:<launch template version>",
      ).hideHelp(),
    )
    .option(
      "--force <names>",
      "node groups whose nodes are replaced even when a PodDisruptionBudget blocks the drain",
    )
    .option(
      "--drain-checks <list>",
      "what a node group's drain findings do: name=block|warn, comma-separated (the stack key nodeGroups.<name>.drainChecks)",
    )
    .option(
      "--no-kubernetes-checks",
      "do not read the cluster's nodes, pods and PodDisruptionBudgets (the stack key upgrade.kubernetesChecks)",
    )
    .addOption(
      new Option(
        "--health-gate <action>",
        "workloads not back after a step: pause the cluster and stop (default), warn, or off (the stack key upgrade.healthGate)",
      ).choices(["pause", "warn", "off"]),
    )
    .option("--concurrency <n>", "node groups updated at once (default 1)")
    .option(
      "--bake-hours <n>",
      "hours the control plane runs the new minor before node groups follow, in a later run (default 0)",
    )
    .option(
      "--canary <names>",
      "node groups to update first, in this order (the stack key nodeGroups.<name>.canary)",
    )
    .addOption(new Option("--order <names>", "former name of --canary").hideHelp())
    .addOption(
      new Option("--insights <policy>", "ERROR upgrade-readiness insights").choices(["block", "warn"]),
    )
    .option(
      "--acknowledge <insight>",
      "an ERROR insight to accept by name (repeatable)",
      (v: string, all: string[] = []) => [...all, v],
    )
    .option("--time-scale <x>", "the emulator's time scale (emulator only)")
    .option(
      "--only <target>",
      "change only this: control-plane, addon:<name> or nodegroup:<name> (repeatable); the rest keeps what runs (current)",
      (v: string, all: string[] = []) => [...all, v],
    );
}

/**
 * The spec, with --only applied: the cluster is read first to name what the selection leaves out.
 * `restrict` then refuses a plan that needs a step outside the selection.
 */
async function targetSpec(o: TargetOptions) {
  const only = parseOnly(o.only);
  if (!only)
    return { ...specAndScale(o), observed: undefined, restrict: (inspection: Inspection) => inspection };
  const ref = clusterOrStack(o);
  let observed: Observed | undefined;
  await withClients(ref, flagKey, async (clients) => {
    observed = await observe(clients, ref.clusterName);
  });
  return {
    ...specAndScale(o, { only, observed: observed as Observed }),
    // Read once: the plan is made from this same read.
    observed,
    restrict: (inspection: Inspection) => ({
      ...inspection,
      plan: restrictPlan(inspection.plan, inspection.observed, only),
    }),
  };
}

/**
 * Runs a command's AWS calls with clients for the cluster; a call that fails for operational
 * reasons (not found, denied, no credentials, throttled, unreachable) ends as its finding, exit 1.
 */
async function withClients(ref: ClusterRef, keys: KeyRenderer, run: (clients: Clients) => Promise<void>) {
  const clients = createClients(ref);
  try {
    await run(clients);
  } catch (e) {
    const at = { clusterName: ref.clusterName, region: ref.region, endpoint: ref.endpoints?.eks };
    const f = e instanceof CliError ? undefined : operationalFinding(e, at);
    if (f) throw new CliError(describeFinding(f, keys), EXIT.failed);
    throw e;
  } finally {
    destroyClients(clients);
  }
}

const program = new Command()
  .name("eks-upgrade")
  .description(
    "See, plan and run safe EKS upgrades: control plane, then add-ons, then node groups; never a downgrade.",
  )
  // The note about the Node.js runtime (the engine quiets the AWS SDK's seven-line warning, see
  // clients.ts) is said where people look for such things: --version and status, not every run.
  .version(
    [packageVersion(), runtimeNotice()].filter(Boolean).join("\n"),
    "-V, --version",
    "the version of eks-upgrade",
  )
  .showHelpAfterError()
  .exitOverride()
  .hook("preAction", async (_program, command) => {
    // Pointed at the local emulator: its region, unless one is given (flag, environment, stack).
    const o = command.opts<{ region?: string; endpoint?: string; stack?: string }>();
    if (o.region || o.stack || !o.endpoint || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION)
      return;
    const region = await emulatorRegion(o.endpoint);
    if (region) command.setOptionValue("region", region);
  });

clusterOptions(
  program
    .command("status")
    .description("how far behind the cluster is: versions, support dates, AMIs, add-ons, insights"),
)
  .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"))
  .action(async (o: ClusterOptions & { format: "table" | "json" }) => {
    await withClients(clusterRef(o), flagKey, async (clients) => {
      const status = await gatherStatus(clients, o);
      // json: what was read (the cluster, its node groups, add-ons, insights) and what is current for its minor.
      write(o.format === "json" ? JSON.stringify(status, null, 2) : renderStatus(status));
      const notice = runtimeNotice();
      if (notice && o.format !== "json")
        process.stderr.write(
          `${wrapLine(`eks-upgrade: ${notice}`, outputWidth(process.stderr), "  ").join("\n")}\n`,
        );
    });
  });

targetOptions(program.command("plan").description("the ordered upgrade plan, without changing anything"))
  .addOption(new Option("--format <format>", "output format").choices(FORMATS).default("table"))
  .action(async (o: TargetOptions & { format: Format }) => {
    // Refused as apply refuses it, though a plan does not wait.
    if (o.timeScale !== undefined) timeScale(o.timeScale);
    const { spec, keys, gate, restrict, observed } = await targetSpec(o);
    await withClients(spec, keys, async (clients) => {
      const { plan } = restrict(await inspect(clients, spec, gate, observed));
      write(renderPlan(plan, o.format, { concurrency: spec.upgrade.concurrency, keys }));
      if (plan.violations.length) process.exitCode = EXIT.refused;
    });
  });

targetOptions(
  program.command("apply").description("show the plan, confirm, run it with live progress; a re-run resumes"),
)
  .option("--yes", "do not ask for confirmation")
  .addOption(
    new Option(
      "--format <format>",
      "json: one result on stdout (steps, updates, durations, the versions after), also when refused, failed or stopped; the rest on stderr",
    )
      .choices(["table", "json"])
      .default("table"),
  )
  .action(async (o: TargetOptions & { yes?: boolean; format: "table" | "json" }) => {
    if (o.format !== "json") return apply(o, write, process.stdout);
    // The human output (plan, prompt, progress, summary) goes to stderr; stdout holds the result only.
    const report = new ApplyReport();
    report.begin(o.cluster ?? "", 1);
    let failure: unknown;
    try {
      await apply(o, (line) => process.stderr.write(`${line}\n`), process.stderr, report);
    } catch (e) {
      failure = e;
      throw e;
    } finally {
      write(JSON.stringify(report.ended(failure), null, 2));
    }
  });

/** apply: the plan shown on `out`, confirmed, run; `report` (apply --format json) follows it all. */
async function apply(
  o: TargetOptions & { yes?: boolean },
  out: (line: string) => void,
  stream: NodeJS.WriteStream,
  report?: ApplyReport,
): Promise<void> {
  const { spec, timeScale: stackScale, keys, gate, restrict, observed } = await targetSpec(o);
  const scale =
    o.timeScale !== undefined ? timeScale(o.timeScale) : (stackScale ?? (await timeScaleOf(spec)));
  report?.begin(spec.clusterName, scale, keys);
  await withClients(spec, keys, async (clients) => {
    const first = restrict(await inspect(clients, spec, gate, observed));
    const render = (p: Plan) =>
      renderPlan(p, "table", { concurrency: spec.upgrade.concurrency, keys, width: outputWidth(stream) });
    out(render(first.plan));
    let inspection = first;
    report?.planned(inspection.plan, runningVersions(inspection.observed));
    // The plan a run acts on is made from freshly evaluated insights: asked first, since the
    // refresh is a write (StartInsightsRefresh); a plan they change is shown and asked again.
    if (needsFreshInsights(first.plan)) {
      if (!o.yes) await confirm(first.plan, stream);
      inspection = restrict(
        await refreshForApply(clients, spec, gate, first, { timeScale: scale, log: out }),
      );
      if (planText(inspection.plan) !== planText(first.plan)) {
        out("The fresh upgrade insights change the plan:");
        out(render(inspection.plan));
        report?.planned(inspection.plan, runningVersions(inspection.observed));
        if (!o.yes && inspection.plan.steps.length && !inspection.plan.violations.length)
          await confirm(inspection.plan, stream);
      }
    }
    try {
      await applyPlan(clients, spec, inspection, {
        keys,
        // Asked above.
        yes: true,
        tty: stream.isTTY === true,
        timeScale: scale,
        write: out,
        onEvent: report && ((e) => report.onEvent(e)),
      });
    } finally {
      // What runs now, whatever happened: the result's final state.
      if (report)
        report.after = await observe(clients, spec.clusterName).then(runningVersions, () => undefined);
    }
  });
}

clusterOptions(
  program
    .command("rollback")
    .description(
      "take the control plane back to the minor its last upgrade left (EKS allows it for 7 days): node groups, then add-ons, then the control plane; a plan unless --yes",
    ),
)
  .option("--to <minor>", "the minor to go back to (only the one the last upgrade left)")
  .option(
    "--acknowledge <insight>",
    "a rollback-readiness insight in ERROR to roll back despite, by name (repeatable)",
    (v: string, all: string[] = []) => [...all, v],
  )
  .option("--timeout-minutes <n>", "EKS cancels the rollback if it takes longer (120-10080, default 720)")
  .option("--concurrency <n>", "node groups rolled back at once (default 1)")
  .option("--yes", "run the rollback (without it: the plan only)")
  .addOption(new Option("--format <format>", "output format of the plan").choices(FORMATS).default("table"))
  .option("--time-scale <x>", "the emulator's time scale (emulator only)")
  .action(async (o: RollbackOptions & { yes?: boolean; format: Format; timeScale?: string }) => {
    const spec = rollbackSpec(o);
    const scale = o.timeScale !== undefined ? timeScale(o.timeScale) : await timeScaleOf(spec);
    await withClients(spec, flagKey, async (clients) => {
      const inspection = await inspectRollback(clients, spec);
      const { plan } = inspection;
      write(
        renderPlan(plan, o.format, {
          concurrency: spec.rollback.concurrency,
          keys: flagKey,
          title: "Rollback plan",
        }),
      );
      if (plan.violations.length) {
        process.exitCode = EXIT.refused;
        return;
      }
      if (!o.yes) {
        if (plan.steps.length) write("This is the plan: run again with --yes to roll back.");
        return;
      }
      await applyPlan(clients, inspection.spec, inspection, {
        keys: flagKey,
        yes: true,
        tty: process.stdout.isTTY === true,
        timeScale: scale,
        write,
      });
    });
  });

/** pause and resume: the cluster by --cluster, or by the stack's config. */
const pauseOptions = (cmd: Command) => stackOrClusterOptions(cmd, "the cluster of Pulumi.<name>.yaml");

type PauseOptions = Partial<ClusterOptions> & { stack?: string; reason?: string };

/** How to name the cluster again in a command line: as the user named it. */
const sameCluster = (o: PauseOptions, name: string) => (o.stack ? `--stack ${o.stack}` : `--cluster ${name}`);

pauseOptions(
  program
    .command("pause")
    .description(
      "stop every upgrade of the cluster (CLI, pulumi up, rollback; any machine) after its step in flight, until resume: a tag on the cluster",
    ),
)
  .requiredOption("--reason <text>", "why: shown to every run the pause stops (an AWS tag value)")
  .action(async (o: PauseOptions & { reason: string }) => {
    const problem = pauseReasonProblem(o.reason);
    if (problem) throw new CliError(`--reason: ${problem}`);
    const ref = clusterOrStack(o);
    await withClients(ref, flagKey, async (clients) => {
      const pause = await pauseCluster(clients, ref.clusterName, o.reason);
      write(
        `cluster ${ref.clusterName} ${describePause(pause)}\n` +
          "Every run (eks-upgrade apply and rollback, pulumi up; on any machine) stops after its step in flight, and none starts a step until " +
          `eks-upgrade resume ${sameCluster(o, ref.clusterName)}.`,
      );
    });
  });

pauseOptions(program.command("resume").description("lift a pause: runs may start steps again")).action(
  async (o: PauseOptions) => {
    const ref = clusterOrStack(o);
    await withClients(ref, flagKey, async (clients) => {
      const lifted = await resumeCluster(clients, ref.clusterName);
      write(
        lifted
          ? `cluster ${ref.clusterName} resumed (it was ${describePause(lifted)}). Run the upgrade again to go on: finished steps are not repeated.`
          : `cluster ${ref.clusterName} is not paused: nothing to do.`,
      );
    });
  },
);

clusterOptions(
  program
    .command("kubeconfig")
    .description("a kubeconfig for the cluster's API server (auth: aws eks get-token), for kubectl"),
).action(async (o: ClusterOptions) => {
  const ref = clusterRef(o);
  await withClients(ref, flagKey, async (clients) => {
    write(await kubeconfig(clients, ref));
  });
});

const fleet = program
  .command("fleet")
  .description(`the project's stacks in the stages of ${FLEET_FILE} (one stack per cluster)`);

fleet
  .command("status")
  .description(
    "one row per stack, the most urgent first: Kubernetes version, EKS support and when it ends, extended-support cost, the oldest node AMI, upgrades in progress or paused",
  )
  .addOption(new Option("--format <format>", "output format").choices(FORMATS).default("table"))
  .action(async (o: { format: Format }) => {
    const dir = process.cwd();
    const project = loadFleet(dir);
    // A long fleet takes a while: say how far it got, where a person watches.
    const rows = await withStackProgress("reading stacks", (progress) => fleetStatus(project, progress));
    write(renderFleetStatus(rows, unstaged(project, dir), o.format));
    if (rows.some((r) => r.error)) process.exitCode = EXIT.failed;
  });

fleet
  .command("plan")
  .description(
    "each stack's plan summed up by stage, the rollout's calendar (stages in order, maxParallel at a time, soaks) and the extended-support cost before and after; reads only",
  )
  .option("--cluster-version <minor>", "plan every stack to this minor instead of its stack file's")
  .addOption(new Option("--format <format>", "output format").choices(FORMATS).default("table"))
  .action(async (o: { format: Format; clusterVersion?: string }) => {
    if (o.clusterVersion !== undefined) minorFlag("--cluster-version", o.clusterVersion, "1.36");
    const project = loadFleet(process.cwd());
    const plan = await withStackProgress("planning stacks", (progress) =>
      fleetPlan(project, o.clusterVersion, progress),
    );
    write(renderFleetPlan(plan, o.format));
    if (plan.stacks.some((s) => s.error)) process.exitCode = EXIT.failed;
    else if (plan.stacks.some((s) => s.refused.length)) process.exitCode = EXIT.refused;
  });

fleet
  .command("up")
  .description(
    "roll the fleet out here: the stages in order, each stage's stacks maxParallel at a time with pulumi up (Automation API), within maxFailures, soaking between stages; Ctrl-C or a paused cluster stops it after the steps in flight; a re-run goes on",
  )
  .option("--stage <name>", "only this stage (its stacks' promotion gates still check the stage before)")
  .option("--yes", "do not ask for confirmation")
  .addOption(
    new Option("--format <format>", "output format of the summary")
      .choices(["table", "json"])
      .default("table"),
  )
  .action(async (o: { stage?: string; yes?: boolean; format: "table" | "json" }) => {
    const dir = process.cwd();
    const project = loadFleet(dir);
    const stages = o.stage ? [stageNamed(project, o.stage)] : project.stages;
    // Progress goes where a person reads it; with --format json stdout holds the JSON alone.
    const say = (text: string) => (o.format === "json" ? process.stderr : process.stdout).write(`${text}\n`);
    const count = stages.reduce((n, s) => n + s.selected.length, 0);
    if (!o.yes)
      await ask(
        `Run pulumi up on ${count} stacks in stage${stages.length === 1 ? "" : "s"} ${stages.map((s) => s.name).join(", ")}, in order? [y/N] `,
        process.stdout,
      );
    const stop = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (stop.signal.aborted) return;
      // At a terminal, a SIGINT is its Ctrl-C, which every stack's pulumi got too.
      const atTerminal = [process.stdin, process.stdout, process.stderr].some((s) => s.isTTY);
      stop.abort(signal === "SIGINT" && atTerminal ? FROM_TERMINAL : signal);
      say(
        "stopping: no new stack starts; running stacks stop after their step in flight (Ctrl-C again: pulumi terminates them at once)",
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
      const result = await runFleet(
        project,
        automationRunner(dir, (stack, text) => say(`  ${stack} | ${text}`)),
        {
          stage: o.stage,
          stop: stop.signal,
          onEvent: (e) => {
            const line = fleetEventLine(e);
            if (line) say(line);
          },
        },
      );
      const rerun = `eks-upgrade fleet up${o.stage ? ` --stage ${o.stage}` : ""}`;
      if (o.format === "json") write(JSON.stringify(result, null, 2));
      else write(fleetSummary(result, rerun));
      if (result.outcome !== "succeeded" || result.failedStacks.length) process.exitCode = EXIT.failed;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  });

fleet
  .command("workflow")
  .description(
    `the fleet's rollout on GitHub Actions, from ${FLEET_FILE}: written to ${WORKFLOW_FILE} (--check: exit 1 if the file differs)`,
  )
  .option("--check", "change nothing; exit 1 when the committed workflow is not what the fleet file makes")
  .action((o: { check?: boolean }) => {
    const dir = process.cwd();
    const text = fleetWorkflow(loadFleet(dir));
    const file = join(dir, WORKFLOW_FILE);
    if (o.check) {
      const committed = existsSync(file) ? readFileSync(file, "utf8") : "";
      if (committed !== text)
        throw new CliError(
          `${WORKFLOW_FILE} is not what ${FLEET_FILE} makes: run eks-upgrade fleet workflow and commit it`,
          EXIT.failed,
        );
      write(`${WORKFLOW_FILE} is what ${FLEET_FILE} makes`);
      return;
    }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    write(`wrote ${WORKFLOW_FILE}`);
  });

fleet
  .command("matrix")
  .description("each stage's stacks as one GITHUB_OUTPUT line (the rollout workflow's first job)")
  .action(() => {
    write(fleetMatrix(loadFleet(process.cwd())));
  });

fleet
  .command("gate")
  .description(
    "after a stage of the rollout workflow: fail when more of its stacks failed than maxFailures, or before the stage soaked soakHours (EKS's time) when a stage follows",
  )
  .requiredOption("--stage <name>", "the stage")
  .requiredOption(
    "--outcomes <dir>",
    "one file per stack holding its pulumi up outcome (success, failure, ...)",
  )
  .action(async (o: { stage: string; outcomes: string }) => {
    write(await fleetGate(loadFleet(process.cwd()), o.stage, o.outcomes, process.env.GITHUB_RUN_ID));
  });

program
  .command("demo")
  .description("the embedded emulator's 1.33 cluster: status, plan to 1.35, apply, status (no AWS account)")
  .option("--time-scale <x>", "simulated time scale (default 0.005: about 20 seconds)")
  .option(
    "--kubernetes",
    "back the cluster with a real Kubernetes API server (npm run kubernetes:install): nodes, pods and budgets",
  )
  .option(
    "--fleet",
    "the example fleet instead: twelve stacks in three stages through the real pulumi (npm run pulumi:install): fleet status, fleet plan, fleet up with one failure in a stage's budget, status after",
  )
  .action(async (o: { timeScale?: string; kubernetes?: boolean; fleet?: boolean }) => {
    if (o.fleet) return runFleetDemo(write);
    await runDemo(write, process.stdout.isTTY === true, o.timeScale ? timeScale(o.timeScale) : undefined, {
      kubernetes: o.kubernetes === true,
    });
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    // Help and version exit 0; a bad argument (already explained by commander) exits 2.
    process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.refused;
    return;
  }
  if (e instanceof CliError || e instanceof FleetFileError) {
    process.stderr.write(`eks-upgrade: ${e.message}\n`);
    // A fleet file that cannot be used is bad input: nothing was read or changed.
    process.exitCode = e instanceof CliError ? e.exitCode : EXIT.refused;
    return;
  }
  process.stderr.write(`eks-upgrade: ${(e as Error).message}\n`);
  process.exitCode = EXIT.failed;
});
