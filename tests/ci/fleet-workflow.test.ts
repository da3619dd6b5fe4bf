import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { validateWorkflow } from "@action-validator/core";
import { parse } from "yaml";
import { runCli } from "../support/cli";
import { ROOT } from "../support/provider";

/*
 * The example fleet's rollout on GitHub Actions (examples/fleet): the committed workflow is what
 * its fleet.yaml makes, GitHub's schema accepts it, its first job's step — run here as the
 * runner runs it, with $GITHUB_OUTPUT — lists each stage's stacks, and a stage's gate fails
 * exactly when more of its stacks failed than its maxFailures.
 */
const exec = promisify(execFile);
const EXAMPLE = join(ROOT, "examples", "fleet");
const WORKFLOW = join(".github", "workflows", "fleet-rollout.yml");

interface Job {
  name?: string;
  needs?: string[];
  if?: string;
  environment?: string;
  strategy?: { "fail-fast": boolean; "max-parallel": number; matrix: { stack: string } };
  steps: { id?: string; run?: string; uses?: string; with?: Record<string, unknown> }[];
}

const cli = (cwd: string, ...args: string[]) => runCli(args, { cwd });

describe("the fleet's rollout workflow (examples/fleet)", () => {
  const fleet = parse(readFileSync(join(EXAMPLE, "fleet.yaml"), "utf8")) as {
    stages: { name: string; maxParallel: number; maxFailures: number; environment?: string }[];
  };
  const text = readFileSync(join(EXAMPLE, WORKFLOW), "utf8");
  const workflow = parse(text) as { jobs: Record<string, Job> };
  let scratch = "";
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), "eks-upgrade-fleet-wf-"));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("is what the fleet file makes; a changed fleet file makes --check fail naming the file", async () => {
    const same = await cli(EXAMPLE, "fleet", "workflow", "--check");
    assert.equal(same.code, 0, same.stderr);
    const copy = join(scratch, "project");
    cpSync(EXAMPLE, copy, { recursive: true });
    writeFileSync(
      join(copy, "fleet.yaml"),
      readFileSync(join(copy, "fleet.yaml"), "utf8").replace("maxParallel: 3", "maxParallel: 4"),
    );
    const changed = await cli(copy, "fleet", "workflow", "--check");
    assert.equal(changed.code, 1);
    assert.match(
      changed.stderr,
      /\.github\/workflows\/fleet-rollout\.yml is not what fleet\.yaml makes: run eks-upgrade fleet workflow and commit it/,
    );
    const written = await cli(copy, "fleet", "workflow");
    assert.equal(written.code, 0, written.stderr);
    assert.match(readFileSync(join(copy, WORKFLOW), "utf8"), /max-parallel: 4\n/);
  });

  it("passes GitHub's workflow schema, with no YAML anchors (plain jobs a reader can follow)", () => {
    const result = validateWorkflow(text) as { errors: unknown[] };
    assert.deepEqual(result.errors, []);
    assert.doesNotMatch(text, /[&*]a\d/);
  });

  it("stages in order: each stage's stacks maxParallel at a time, none cancelled by another, in its environment; its gate before the next", () => {
    const jobs = workflow.jobs;
    let previous = "stacks";
    for (const stage of fleet.stages) {
      const job = jobs[`stage-${stage.name}`];
      const gate = jobs[`gate-${stage.name}`];
      assert.ok(job && gate, stage.name);
      assert.deepEqual(job.needs, previous === "stacks" ? ["stacks"] : ["stacks", previous]);
      assert.equal(job.strategy?.["max-parallel"], stage.maxParallel);
      assert.equal(job.strategy?.["fail-fast"], false);
      assert.equal(job.strategy?.matrix.stack, `\${{ fromJSON(needs.stacks.outputs.stacks).${stage.name} }}`);
      assert.equal(job.environment, stage.environment);
      assert.ok(job.steps.some((s) => s.uses === "pulumi/actions@v6" && s.with?.command === "up"));
      assert.deepEqual(gate.needs, [`stage-${stage.name}`]);
      assert.match(gate.if ?? "", /^always\(\) && /);
      assert.ok(
        gate.steps.some(
          (s) => s.run === `npx eks-upgrade fleet gate --stage ${stage.name} --outcomes outcomes`,
        ),
      );
      previous = `gate-${stage.name}`;
    }
  });

  it("its first job's step, run as the runner runs it, lists each stage's stacks for the matrices", async () => {
    const step = workflow.jobs.stacks?.steps.find((s) => s.id === "matrix");
    assert.ok(step?.run);
    const output = join(scratch, "github-output");
    writeFileSync(output, "");
    await exec("bash", ["-eo", "pipefail", "-c", step.run], {
      cwd: EXAMPLE,
      env: { ...process.env, GITHUB_OUTPUT: output },
    });
    const line = readFileSync(output, "utf8").trim();
    assert.match(line, /^stacks=/);
    const stacks = JSON.parse(line.slice("stacks=".length)) as Record<string, string[]>;
    // The example's twelve stack files, by the stage whose glob they match.
    assert.deepEqual(stacks, {
      dev: ["local-dev-1", "local-dev-2"],
      staging: ["local-staging-1", "local-staging-2", "local-staging-3", "local-staging-4"],
      prod: ["local-prod-1", "local-prod-2", "local-prod-3", "local-prod-4", "local-prod-5", "local-prod-6"],
    });
  });

  it("the gate of a stage that soaks before the next reads its stacks' outputs and EKS's clock (the Pulumi CLI and its login, the read-only AWS role); the other gates read nothing", () => {
    const soaking = (name: string) => /^staging: at most 1 failed, 24 hours soaked$/.test(name);
    for (const stage of fleet.stages) {
      const gate = workflow.jobs[`gate-${stage.name}`] as Job & { permissions: Record<string, string> };
      const reads = stage.name === "staging"; // soakHours 24 and a stage after it; prod soaks but is last
      assert.equal(soaking(gate.name ?? ""), reads, gate.name);
      const uses = gate.steps.flatMap((s) => (s.uses ? [s.uses] : []));
      const run = gate.steps.at(-1) as Job["steps"][number] & { env?: Record<string, string> };
      assert.equal(run.run, `npx eks-upgrade fleet gate --stage ${stage.name} --outcomes outcomes`);
      if (reads) {
        assert.deepEqual(uses.slice(-2), ["aws-actions/configure-aws-credentials@v4", "pulumi/actions@v6"]);
        const aws = gate.steps.find((s) => s.uses?.startsWith("aws-actions/"));
        assert.equal(aws?.with?.["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}", "the read-only role");
        assert.equal(gate.permissions["id-token"], "write");
        assert.deepEqual(run.env, { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
      } else {
        assert.deepEqual(uses.slice(-1), ["actions/download-artifact@v4"]);
        assert.deepEqual(gate.permissions, { contents: "read" });
        assert.equal(run.env, undefined);
      }
    }
  });

  it("a stage's gate: within maxFailures the next stage may start; one more and it fails naming them; a stack that recorded nothing counts as failed", async () => {
    const outcomes = (name: string, results: Record<string, string>) => {
      const dir = join(scratch, name);
      mkdirSync(dir, { recursive: true });
      for (const [stack, outcome] of Object.entries(results)) writeFileSync(join(dir, stack), `${outcome}\n`);
      return dir;
    };
    // (staging soaks before prod: its gate reads the stacks, tested on real stacks in tests/e2e/fleet-up.test.ts)
    const prod = [
      "local-prod-1",
      "local-prod-2",
      "local-prod-3",
      "local-prod-4",
      "local-prod-5",
      "local-prod-6",
    ];
    const ok = outcomes(
      "within",
      Object.fromEntries(prod.map((s, i) => [s, i === 2 ? "failure" : "success"])),
    );
    const within = await cli(EXAMPLE, "fleet", "gate", "--stage", "prod", "--outcomes", ok);
    assert.equal(within.code, 0, within.stderr);
    assert.equal(
      within.stdout.trim(),
      "stage prod: 5 of 6 stacks done; failed: local-prod-3 (failure) (maxFailures 1): the rollout's last stage is done",
    );
    const two = outcomes("beyond", {
      "local-staging-1": "success",
      "local-staging-2": "failure",
      "local-staging-3": "success",
    });
    const beyond = await cli(EXAMPLE, "fleet", "gate", "--stage", "staging", "--outcomes", two);
    assert.equal(beyond.code, 1);
    assert.match(
      beyond.stderr,
      /stage staging: 2 of 4 stacks done; failed: local-staging-2 \(failure\), local-staging-4 \(no outcome recorded\): more than maxFailures 1\. No later stage starts/,
    );
    const devGate = (name: string, second: string) =>
      cli(
        EXAMPLE,
        ...["fleet", "gate", "--stage", "dev", "--outcomes"],
        outcomes(name, { "local-dev-1": "success", "local-dev-2": second }),
      );
    const dev = await devGate("dev", "cancelled");
    assert.equal(dev.code, 1, "dev allows no failure");
    const devDone = await devGate("dev-done", "success");
    assert.equal(devDone.code, 0, devDone.stderr);
    assert.equal(
      devDone.stdout.trim(),
      "stage dev: 2 of 2 stacks done (maxFailures 0): stage staging may start",
    );
    const unknown = await cli(EXAMPLE, "fleet", "gate", "--stage", "qa", "--outcomes", ok);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--stage qa: no such stage in fleet\.yaml \(stages: dev, staging, prod\)/);
  });
});
