import { join } from "node:path";
import { stringify } from "yaml";
import { FLEET_FILE, type Fleet } from "../infra/fleet";

/**
 * The fleet's rollout on GitHub Actions, generated from fleet.yaml (`eks-upgrade fleet workflow`):
 * a job that lists each stage's stacks (`eks-upgrade fleet matrix`), then per stage a matrix job —
 * `pulumi up` per stack, `maxParallel` at a time, in the stage's environment, none cancelled by
 * another's failure — and a gate job (`eks-upgrade fleet gate`) that counts the stage's failures
 * against `maxFailures` and checks its soak before the next stage may start. Each stack's own
 * promotion gate still refuses a target its upstream has not run long enough.
 */
export const WORKFLOW_FILE = join(".github", "workflows", "fleet-rollout.yml");

const node = [
  { uses: "actions/checkout@v4" },
  { uses: "actions/setup-node@v4", with: { "node-version": 20, cache: "npm" } },
  { run: "npm ci" },
];

const PULUMI_TOKEN = { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" };
/** pulumi/actions without a command installs the Pulumi CLI. */
const PULUMI_CLI = { uses: "pulumi/actions@v6" };
/** AWS credentials through OIDC: the deploy role for pulumi up, the read-only one (the previews') to read. */
const awsCredentials = (role: "AWS_DEPLOY_ROLE_ARN" | "AWS_PREVIEW_ROLE_ARN", extra = {}) => ({
  uses: "aws-actions/configure-aws-credentials@v4",
  with: { "role-to-assume": `\${{ vars.${role} }}`, "aws-region": "${{ vars.AWS_REGION }}", ...extra },
});

export function fleetWorkflow(fleet: Fleet): string {
  // A stage that selects stacks by tag is read with the Pulumi CLI and its login, wherever the
  // fleet file is.
  const tagged = fleet.stages.some((s) => s.stacks.some((p) => p.startsWith("tag:")));
  const jobs: Record<string, unknown> = {
    stacks: {
      name: "stacks of each stage",
      "runs-on": "ubuntu-latest",
      permissions: { contents: "read" },
      outputs: { stacks: "${{ steps.matrix.outputs.stacks }}" },
      steps: [
        ...node,
        ...(tagged ? [PULUMI_CLI] : []),
        {
          id: "matrix",
          run: 'npx eks-upgrade fleet matrix >> "$GITHUB_OUTPUT"',
          ...(tagged ? { env: PULUMI_TOKEN } : {}),
        },
      ],
    },
  };
  let previous: string | undefined;
  for (const stage of fleet.stages) {
    const job = `stage-${stage.name}`;
    const gate = `gate-${stage.name}`;
    jobs[job] = {
      name: `${stage.name} \${{ matrix.stack }}`,
      needs: previous ? ["stacks", previous] : ["stacks"],
      "runs-on": "ubuntu-latest",
      ...(stage.environment ? { environment: stage.environment } : {}),
      // Two rollouts of one stack never overlap: the second waits (an upgrade is never cut short).
      concurrency: { group: "rollout-${{ matrix.stack }}", "cancel-in-progress": false },
      permissions: { contents: "read", "id-token": "write" },
      "timeout-minutes": 360,
      strategy: {
        "fail-fast": false,
        "max-parallel": stage.maxParallel,
        matrix: { stack: `\${{ fromJSON(needs.stacks.outputs.stacks).${stage.name} }}` },
      },
      steps: [
        ...node,
        awsCredentials("AWS_DEPLOY_ROLE_ARN", { "role-duration-seconds": 21600 }),
        {
          id: "up",
          uses: "pulumi/actions@v6",
          "continue-on-error": true,
          with: {
            command: "up",
            "stack-name": "${{ vars.PULUMI_ORG }}/eks-upgrade/${{ matrix.stack }}",
            policyPacks: "policy",
          },
          env: PULUMI_TOKEN,
        },
        {
          name: "record the outcome for the stage's gate",
          run: 'mkdir -p outcome && echo "${{ steps.up.outcome }}" > "outcome/${{ matrix.stack }}"',
        },
        {
          uses: "actions/upload-artifact@v4",
          with: { name: `outcome-${stage.name}-\${{ matrix.stack }}`, path: "outcome" },
        },
        {
          if: "steps.up.outcome == 'failure'",
          run: 'echo "pulumi up failed for ${{ matrix.stack }}"; exit 1',
        },
      ],
    };
    // Before a later stage, the gate also checks the soak: the stage's stack outputs (the Pulumi
    // CLI and its login) against EKS's clock (AWS credentials).
    const soaks = stage.soakHours > 0 && stage !== fleet.stages.at(-1);
    const reads = tagged || soaks;
    jobs[gate] = {
      name: `${stage.name}: at most ${stage.maxFailures} failed${soaks ? `, ${stage.soakHours} hours soaked` : ""}`,
      needs: [job],
      // The stage's failures are counted even when one of its stacks failed.
      if: `always() && needs.${job}.result != 'skipped' && needs.${job}.result != 'cancelled'`,
      "runs-on": "ubuntu-latest",
      permissions: soaks ? { contents: "read", "id-token": "write" } : { contents: "read" },
      steps: [
        ...node,
        {
          uses: "actions/download-artifact@v4",
          with: { pattern: `outcome-${stage.name}-*`, path: "outcomes", "merge-multiple": true },
        },
        ...(soaks ? [awsCredentials("AWS_PREVIEW_ROLE_ARN")] : []),
        ...(reads ? [PULUMI_CLI] : []),
        {
          run: `npx eks-upgrade fleet gate --stage ${stage.name} --outcomes outcomes`,
          ...(reads ? { env: PULUMI_TOKEN } : {}),
        },
      ],
    };
    previous = gate;
  }
  const body = stringify(
    {
      name: "fleet-rollout",
      on: {
        push: { branches: ["main"], paths: ["Pulumi.*.yaml", FLEET_FILE] },
        workflow_dispatch: {},
      },
      permissions: {},
      jobs,
    },
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
  return `# Generated by \`eks-upgrade fleet workflow\` from ${FLEET_FILE}: edit the fleet file, not this one
# (a test fails when they differ). Stages in order; each stage's stacks \`maxParallel\` at a time,
# none cancelled by another's failure; its gate fails the rollout once more than \`maxFailures\`
# of them failed, or before the stage has soaked \`soakHours\`, and no later stage starts.
${body}`;
}

/** `stacks={"dev":["dev-1"],...}`: the line the workflow's first job appends to $GITHUB_OUTPUT. */
export function fleetMatrix(fleet: Fleet): string {
  return `stacks=${JSON.stringify(Object.fromEntries(fleet.stages.map((s) => [s.name, s.selected])))}`;
}
