import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { loadStackConfig, StackConfigError } from "../../infra/config";
import { execute, inspect, PlanRefusedError, parseSpec, SpecError } from "../../providers/engine/src/index";
import { type EngineHarness, engineHarness, TIME_SCALE } from "../support/engine";
import { PROVIDER_ENV, ROOT } from "../support/provider";
import { stackConfig } from "../support/stacks";

const exec = promisify(execFile);
const base = { clusterName: "demo", region: "us-east-1", clusterVersion: "1.29" };

/** Rejected by the spec schema, before anything is read: [what, spec override, field]. */
const SPEC: [string, Record<string, unknown>, string][] = [
  ['minor with a "v"', { clusterVersion: "v1.31" }, "clusterVersion"],
  ["minor with a patch", { clusterVersion: "1.31.2" }, "clusterVersion"],
  ["empty minor", { clusterVersion: "" }, "clusterVersion"],
  ["minor as a number", { clusterVersion: 1.31 }, "clusterVersion"],
  ["a major other than 1", { clusterVersion: "2.0" }, "clusterVersion"],
  ["a minor of another major", { clusterVersion: "2.31" }, "clusterVersion"],
  ["an absurd minor", { clusterVersion: "1.999999" }, "clusterVersion"],
  ['"1.3" (YAML read an unquoted 1.30)', { clusterVersion: "1.3" }, "clusterVersion"],
  ["empty cluster name", { clusterName: "" }, "clusterName"],
  ["shell injection in the cluster name", { clusterName: "demo; rm -rf /" }, "clusterName"],
  ["path traversal in the cluster name", { clusterName: "../../etc/passwd" }, "clusterName"],
  ["command substitution in the cluster name", { clusterName: "$(reboot)" }, "clusterName"],
  ["a 101-character cluster name", { clusterName: "a".repeat(101) }, "clusterName"],
  ["injection in the region", { region: "us-east-1; drop" }, "region"],
  ["region of the wrong type", { region: 42 }, "region"],
  ["zero concurrency", { upgrade: { concurrency: 0 } }, "upgrade.concurrency"],
  ["negative concurrency", { upgrade: { concurrency: -1 } }, "upgrade.concurrency"],
  ["concurrency as a string", { upgrade: { concurrency: "2" } }, "upgrade.concurrency"],
  [
    "a zero deadline",
    { upgrade: { deadlines: { controlPlaneMinutes: 0 } } },
    "upgrade.deadlines.controlPlaneMinutes",
  ],
  [
    "an absurd deadline",
    { upgrade: { deadlines: { nodegroupMinutes: 100_000 } } },
    "upgrade.deadlines.nodegroupMinutes",
  ],
  ["a negative deadline", { upgrade: { deadlines: { addonMinutes: -5 } } }, "upgrade.deadlines.addonMinutes"],
  ["a zero poll interval", { upgrade: { polling: { minSeconds: 0 } } }, "upgrade.polling.minSeconds"],
  ["a health gate word", { upgrade: { healthGate: "stop" } }, "upgrade.healthGate"],
  [
    "a zero health gate deadline",
    { upgrade: { deadlines: { healthGateMinutes: 0 } } },
    "upgrade.deadlines.healthGateMinutes",
  ],
  ["an add-on version without v and build", { addons: { coredns: "1.11.1" } }, "addons.coredns"],
  ["an add-on version word", { addons: { coredns: { version: "newest" } } }, "addons.coredns.version"],
  ["markup as an add-on name", { addons: { "<script>": "latest" } }, "addons.<script>"],
  [
    "injection in a release",
    { nodeGroups: { general: { amiReleaseVersion: "latest; curl evil" } } },
    "nodeGroups.general.amiReleaseVersion",
  ],
  ["force as a string", { nodeGroups: { general: { force: "yes" } } }, "nodeGroups.general.force"],
  [
    "a launch template alias",
    { nodeGroups: { general: { launchTemplateVersion: "$Latest" } } },
    "nodeGroups.general.launchTemplateVersion",
  ],
  ["a node group name with a space", { nodeGroups: { "ng name": {} } }, "nodeGroups.ng name"],
  ["an unknown insight policy", { upgrade: { insights: "ignore" } }, "upgrade.insights"],
  ["plain http to another host", { endpoints: { eks: "http://10.0.0.5:4599" } }, "endpoints.eks"],
  ["an ftp endpoint", { endpoints: { ssm: "ftp://127.0.0.1/" } }, "endpoints.ssm"],
  ["an endpoint that is not a URL", { endpoints: { eks: "not a url" } }, "endpoints.eks"],
  ["canary as a string", { nodeGroups: { general: { canary: "yes" } } }, "nodeGroups.general.canary"],
  ["a misspelt field", { clusterVersoin: "1.30" }, "clusterVersoin"],
];

/** Accepted by the schema, refused by the planner: [what, spec override, code, field]. */
const PLAN: [string, Record<string, unknown>, string, string][] = [
  ["a control-plane downgrade", { clusterVersion: "1.28" }, "EKSUP001", "clusterVersion"],
  ["a minor EKS does not offer", { clusterVersion: "1.99" }, "EKSUP002", "clusterVersion"],
  ["an add-on downgrade", { addons: { coredns: "v1.10.1-eksbuild.4" } }, "EKSUP013", "addons.coredns"],
  [
    "an add-on version that does not exist",
    { addons: { coredns: "v1.99.0-eksbuild.1" } },
    "EKSUP012",
    "addons.coredns",
  ],
  ["an add-on the cluster does not have", { addons: { nope: "latest" } }, "EKSUP011", "addons.nope"],
  ["a node group the cluster does not have", { nodeGroups: { nope: {} } }, "EKSUP005", "nodeGroups.nope"],
  [
    "a release of another minor",
    { nodeGroups: { general: { amiReleaseVersion: "1.31.0-20240924" } } },
    "EKSUP007",
    "nodeGroups.general.amiReleaseVersion",
  ],
  [
    "a release of another AMI family",
    { nodeGroups: { general: { amiReleaseVersion: "1.20.0-fcf71a47" } } },
    "EKSUP007",
    "nodeGroups.general.amiReleaseVersion",
  ],
  [
    "a release that does not exist",
    { nodeGroups: { general: { amiReleaseVersion: "1.29.99-20991231" } } },
    "EKSUP018",
    "nodeGroups.general.amiReleaseVersion",
  ],
  [
    "a node group release downgrade",
    { nodeGroups: { fresh: { amiReleaseVersion: "1.29.0-20240213" } } },
    "EKSUP006",
    "nodeGroups.fresh.amiReleaseVersion",
  ],
  [
    "a launch template downgrade",
    { nodeGroups: { custom: { launchTemplateVersion: "2" } } },
    "EKSUP010",
    "nodeGroups.custom.launchTemplateVersion",
  ],
];

/** Refused by the stack config schema: [what, key, raw value, key named]. */
const CONFIG: [string, string, string, string][] = [
  ['clusterVersion with a "v"', "eks-upgrade:clusterVersion", "v1.31", "eks-upgrade:clusterVersion"],
  ["clusterVersion 2.0", "eks-upgrade:clusterVersion", "2.0", "eks-upgrade:clusterVersion"],
  [
    "a release word",
    "eks-upgrade:nodeGroups",
    JSON.stringify({ a: { amiReleaseVersion: "newest" } }),
    "eks-upgrade:nodeGroups.a.amiReleaseVersion",
  ],
  [
    "node groups as a list (the old layout)",
    "eks-upgrade:nodeGroups",
    JSON.stringify([{ name: "a" }]),
    "eks-upgrade:nodeGroups",
  ],
  [
    "zero concurrency",
    "eks-upgrade:upgrade",
    JSON.stringify({ concurrency: 0 }),
    "eks-upgrade:upgrade.concurrency",
  ],
  [
    "plain http to a private address",
    "eks-upgrade:endpoints",
    JSON.stringify({ eks: "http://192.168.1.10", ssm: "https://ssm.local" }),
    "eks-upgrade:endpoints.eks",
  ],
  ["an empty cluster name", "eks-upgrade:clusterName", "", "eks-upgrade:clusterName"],
  [
    "an upstream stack without org and project",
    "eks-upgrade:promotion",
    JSON.stringify({ upstreamStack: "prod" }),
    "eks-upgrade:promotion.upstreamStack",
  ],
];

/** Refused by the CLI: [what, arguments, text naming the argument]. */
const CLI: [string, string[], RegExp][] = [
  [
    '--cluster-version with a "v"',
    ["plan", "--cluster-version", "v1.31"],
    /--cluster-version v1\.31: must be a Kubernetes minor like 1\.31/,
  ],
  [
    "--cluster-version 2.0",
    ["plan", "--cluster-version", "2.0"],
    /--cluster-version 2\.0: must be a Kubernetes minor/,
  ],
  ["negative --concurrency", ["plan", "--cluster-version", "1.30", "--concurrency", "-1"], /--concurrency/],
  [
    "an unknown --format",
    ["plan", "--cluster-version", "1.30", "--format", "xml"],
    /Allowed choices are table, markdown, json/,
  ],
  ["injection in --cluster", ["status", "--cluster", "demo;rm -rf /"], /--cluster: must be/],
  [
    "plain http --endpoint to another host",
    ["status", "--cluster", "demo", "--endpoint", "http://10.1.2.3:4599"],
    /--endpoint: must be an https URL/,
  ],
  [
    "--addons without versions",
    ["plan", "--cluster-version", "1.30", "--addons", "coredns"],
    /--addons: expected name=value pairs/,
  ],
];

describe(`bad inputs: ${SPEC.length + PLAN.length + CONFIG.length + CLI.length} refused with the field named, and no change made`, () => {
  let h: EngineHarness;
  before(async () => {
    h = await engineHarness({
      clusters: [
        {
          name: "demo",
          version: "1.29",
          addons: { coredns: "v1.11.1-eksbuild.4", "kube-proxy": "v1.29.0-eksbuild.1" },
          nodegroups: [
            {
              name: "general",
              amiType: "AL2023_x86_64_STANDARD",
              version: "1.29",
              releaseVersion: "1.29.0-20240213",
            },
            { name: "fresh", amiType: "AL2023_x86_64_STANDARD", version: "1.29" },
            { name: "custom", amiType: "CUSTOM", launchTemplate: { name: "custom-lt", version: "3" } },
          ],
        },
      ],
    });
  });
  after(async () => {
    assert.deepEqual(h.mutating(), [], "no input of the table changed anything");
    await h.stop();
  });

  for (const [what, override, field] of SPEC) {
    it(`spec: ${what} -> ${field}`, () => {
      assert.throws(
        () => parseSpec({ ...base, ...override }),
        (e: Error) => e instanceof SpecError && e.issues.some((i) => i.field === field),
      );
    });
  }

  for (const [what, override, code, field] of PLAN) {
    it(`plan: ${what} -> ${code} ${field}`, async () => {
      const spec = h.spec({ clusterVersion: "1.29", ...override });
      const { plan } = await inspect(h.clients, spec);
      assert.ok(
        plan.violations.some((v) => v.code === code && v.field === field),
        JSON.stringify(plan.violations),
      );
      await assert.rejects(execute(h.clients, spec, plan, { timeScale: TIME_SCALE }), PlanRefusedError);
    });
  }

  for (const [what, key, value, named] of CONFIG) {
    it(`stack config: ${what} -> ${named}`, () => {
      assert.throws(
        () => loadStackConfig({ ...stackConfig("Pulumi.dev.yaml"), [key]: value }),
        (e: Error) => e instanceof StackConfigError && e.issues.some((i) => i.key === named),
      );
    });
  }

  for (const [what, args, message] of CLI) {
    it(`cli: ${what}`, async () => {
      const withCluster =
        args[0] === "plan" ? [...args, "--cluster", "demo", "--endpoint", h.emulator.url] : args;
      const result = await exec(
        process.execPath,
        [join(ROOT, "dist", "cli", "index.js"), ...withCluster, "--region", "us-east-1"],
        {
          env: { ...process.env, ...PROVIDER_ENV },
        },
      ).then(
        () => ({ code: 0, stderr: "" }),
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
    });
  }
});
