import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { validateWorkflow } from "@action-validator/core";
import { parse } from "yaml";
import { ROOT } from "../support/provider";

const DIR = join(ROOT, ".github", "workflows");
const source = (f: string) => readFileSync(join(DIR, f), "utf8");
type Workflow = {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<
    string,
    Record<string, unknown> & {
      steps?: {
        uses?: string;
        run?: string;
        if?: string;
        with?: Record<string, unknown>;
        env?: Record<string, string>;
      }[];
    }
  >;
};
const workflow = (f: string) => parse(source(f)) as Workflow;
const WRITE_ALLOWED = new Set(["id-token", "pull-requests"]);

describe("GitHub workflows", () => {
  it("every workflow is valid against GitHub's workflow schema", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".yml"));
    assert.deepEqual(files.sort(), ["deploy-stack.yml", "drift.yml", "preview.yml", "rollout.yml"]);
    for (const f of files) {
      const { errors } = validateWorkflow(source(f)) as { errors: unknown[] };
      assert.deepEqual(errors, [], f);
    }
  });

  it("least privilege: nothing by default, per job only what it needs; AWS by OIDC, never by keys", () => {
    for (const f of readdirSync(DIR)) {
      const w = workflow(f);
      assert.deepEqual(w.permissions, {}, `${f}: no default permissions`);
      for (const [name, job] of Object.entries(w.jobs)) {
        for (const [scope, level] of Object.entries((job.permissions ?? {}) as Record<string, string>)) {
          assert.ok(level === "read" || WRITE_ALLOWED.has(scope), `${f} ${name}: ${scope}: ${level}`);
        }
      }
      assert.doesNotMatch(source(f), /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/, f);
    }
    const aws = (f: string) =>
      Object.values(workflow(f).jobs)
        .flatMap((j) => j.steps ?? [])
        .filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials"));
    for (const [f, jobs] of [
      ["preview.yml", 2],
      ["deploy-stack.yml", 1],
      ["drift.yml", 1],
    ] as const) {
      assert.equal(aws(f).length, jobs, f);
      for (const step of aws(f))
        assert.ok(
          String(step.with?.["role-to-assume"]).startsWith("${{ vars."),
          `${f}: role from a variable`,
        );
    }
  });

  it("preview: pull requests, the changed stacks, pulumi preview --diff with the policy pack and a PR comment, the readable plan", () => {
    const w = workflow("preview.yml");
    assert.ok(w.on.pull_request);
    const preview = w.jobs.preview;
    assert.equal(preview?.needs, "stacks");
    assert.equal(
      (preview?.strategy as { matrix: { stack: string } }).matrix.stack,
      "${{ fromJSON(needs.stacks.outputs.stacks) }}",
    );
    const pulumi = preview?.steps?.find((s) => s.uses?.startsWith("pulumi/actions@"));
    assert.deepEqual(
      {
        command: pulumi?.with?.command,
        diff: pulumi?.with?.diff,
        comment: pulumi?.with?.["comment-on-pr"],
        policy: pulumi?.with?.policyPacks,
      },
      { command: "preview", diff: true, comment: true, policy: "policy" },
    );
    const plan = preview?.steps?.find((s) => s.run?.includes("eks-upgrade plan"));
    assert.match(plan?.run ?? "", /npx eks-upgrade plan --stack \$\{\{ matrix\.stack \}\} --format markdown/);
    assert.ok(
      preview?.steps?.some(
        (s) => s.run?.includes("exit 1") && String((s as { if?: string }).if).includes("steps.plan.outcome"),
      ),
      "violations fail the job",
    );
    const detect = w.jobs.stacks?.steps?.find((s) => s.run?.includes("GITHUB_OUTPUT"))?.run ?? "";
    assert.match(detect, /\["dev","staging","prod"\]/);
  });

  it("preview: with a fleet.yaml, the fleet plan as one comment (a refusal fails the job), read-only AWS", () => {
    const w = workflow("preview.yml");
    assert.ok((w.on as { pull_request: { paths: string[] } }).pull_request.paths.includes("fleet.yaml"));
    const job = w.jobs.fleet;
    assert.equal(job?.if, "hashFiles('fleet.yaml') != ''");
    const steps = job?.steps ?? [];
    const plan = steps.find((s) => s.run?.includes("eks-upgrade fleet plan"));
    assert.equal(plan?.run, "npx eks-upgrade fleet plan --format markdown > fleet-plan.md");
    // A stage may select stacks by tag: the plan reads them with the Pulumi CLI and its login.
    const install = steps.findIndex((s) => s.uses === "pulumi/actions@v6");
    assert.ok(install >= 0 && install < steps.indexOf(plan!));
    assert.equal(plan?.env?.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}");
    assert.ok(steps.some((s) => s.run?.includes("gh pr comment")));
    assert.ok(steps.some((s) => s.if === "steps.plan.outcome == 'failure'" && s.run?.includes("exit 1")));
    assert.equal(
      steps.find((s) => s.uses?.startsWith("aws-actions/"))?.with?.["role-to-assume"],
      "${{ vars.AWS_PREVIEW_ROLE_ARN }}",
    );
  });

  it("drift: every day and on demand, each stack, a refresh that writes nothing and fails on a change, the drift in the job summary", () => {
    const w = workflow("drift.yml");
    assert.deepEqual(Object.keys(w.on).sort(), ["schedule", "workflow_dispatch"]);
    const job = w.jobs.refresh!;
    assert.deepEqual((job.strategy as { matrix: { stack: string[] } }).matrix.stack, [
      "dev",
      "staging",
      "prod",
    ]);
    assert.deepEqual(job.permissions, { contents: "read", "id-token": "write" });
    const aws = job.steps?.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials"));
    assert.equal(aws?.with?.["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}", "the read-only role");
    const run = job.steps?.find((s) => s.run?.includes("pulumi refresh"))?.run ?? "";
    assert.match(run, /pulumi refresh --preview-only --expect-no-changes /);
    assert.match(run, /GITHUB_STEP_SUMMARY/);
    // The summary lists the lines ClusterUpgrade's read logs for what moved.
    assert.match(run, /moved outside since the last run: /);
    assert.doesNotMatch(run, /\$\{\{/, "no expression expanded inside the script");
  });

  it("rollout: main only, dev then staging then prod, each its own environment, never two at once per stack", () => {
    const w = workflow("rollout.yml");
    assert.deepEqual((w.on.push as { branches: string[] }).branches, ["main"]);
    const order = Object.entries(w.jobs).map(([name, job]) => [
      name,
      job.needs ?? null,
      (job.with as { stack: string }).stack,
      job.uses,
    ]);
    assert.deepEqual(order, [
      ["dev", null, "dev", "./.github/workflows/deploy-stack.yml"],
      ["staging", "dev", "staging", "./.github/workflows/deploy-stack.yml"],
      ["prod", "staging", "prod", "./.github/workflows/deploy-stack.yml"],
    ]);
    const up = workflow("deploy-stack.yml").jobs.up;
    assert.equal(up?.environment, "${{ inputs.stack }}");
    assert.deepEqual(up?.concurrency, { group: "rollout-${{ inputs.stack }}", "cancel-in-progress": false });
    const pulumi = up?.steps?.find((s) => s.uses?.startsWith("pulumi/actions@"));
    assert.equal(pulumi?.with?.command, "up");
    assert.equal(pulumi?.with?.policyPacks, "policy");
  });
});
