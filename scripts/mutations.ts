/**
 * npm run test:mutations: breaks each safety rule of the engine on purpose, one at a time, rebuilds,
 * runs the test files that guard the rule, and fails if a mutation survives (all of them pass).
 * Prints which tests caught each, as the table in docs/reliability.md. Not part of `npm test`: it
 * rebuilds and reruns suites, minutes in all. It edits providers/engine/src in place and puts every
 * file back (also on Ctrl-C); it refuses to start while that folder has uncommitted changes.
 * `npm run test:mutations -- <words>` runs only the mutations whose names contain one of them.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const SRC = join(ROOT, "providers", "engine", "src");

interface Mutation {
  name: string;
  file: string;
  /** Each `from` must occur exactly once in the file. */
  edits: [from: string, to: string][];
  tests: string[];
}

const MUTATIONS: Mutation[] = [
  {
    name: "no control-plane downgrade refusal",
    file: "plan.ts",
    edits: [["if (compareMinor(this.to, this.from) < 0) {", "if (compareMinor(this.to, this.from) < -99) {"]],
    tests: ["tests/engine/violations.test.ts", "tests/engine/plan-properties.test.ts"],
  },
  {
    name: "node groups before the control plane",
    file: "plan.ts",
    edits: [
      ["    this.nodegroups.steps(nodegroups);\n    this.holdForBake();", "    this.holdForBake();"],
      [
        "    // Resuming while the control plane already moves",
        "    this.nodegroups.steps(nodegroups);\n    // Resuming while the control plane already moves",
      ],
    ],
    tests: ["tests/engine/plan-properties.test.ts", "tests/engine/upgrade.test.ts"],
  },
  {
    name: "kubelet skew of 4 minors",
    file: "versions.ts",
    edits: [
      ['compareMinor(kubeletMinor, "1.25") >= 0 ? 3 : 2', 'compareMinor(kubeletMinor, "1.25") >= 0 ? 4 : 2'],
    ],
    tests: ["tests/engine/plan-properties.test.ts", "tests/engine/execute-properties.test.ts"],
  },
  {
    name: "drain findings never block",
    file: "drain-checks.ts",
    edits: [['const acknowledged = policy.drainChecks === "warn";', "const acknowledged = true;"]],
    tests: ["tests/engine/drain-checks.test.ts", "tests/kubernetes/drain-checks.test.ts"],
  },
  {
    name: "no post-check of the nodes' kubelets",
    file: "kubernetes/rollout-watch.ts",
    edits: [
      [
        "const behind = nodesBehind(k, step.target, minor);",
        "const behind = nodesBehind(k, step.target, minor).slice(0, 0);",
      ],
    ],
    tests: ["tests/kubernetes/drain-checks.test.ts"],
  },
  {
    name: "AMI releases compared as strings",
    file: "releases.ts",
    edits: [
      [
        "  for (let i = 0; i < ra.order.length; i++) {",
        "  if (ra.order.length >= 0) return a < b ? -1 : a > b ? 1 : 0;\n  for (let i = 0; i < ra.order.length; i++) {",
      ],
    ],
    tests: ["tests/engine/release-order.test.ts", "tests/engine/catalog-agreement.test.ts"],
  },
  {
    name: "Bottlerocket ordered by its build id",
    file: "releases.ts",
    edits: [
      [
        "pattern: /^(\\d+)\\.(\\d+)\\.(\\d+)-[0-9a-f]{8}$/,",
        "pattern: /^(\\d+)\\.(\\d+)\\.(\\d+)-([0-9a-f]{8})$/,",
      ],
      [
        "read: (m) => ({ order: [Number(m[1]), Number(m[2]), Number(m[3])] }),",
        "read: (m) => ({ order: [parseInt(m[4]!, 16)] }),",
      ],
    ],
    tests: ["tests/engine/release-order.test.ts", "tests/engine/catalog-agreement.test.ts"],
  },
  {
    name: "pinned releases taken without looking them up",
    file: "plan-nodegroups.ts",
    edits: [["    if (published !== true) {", "    if (published === false && published) {"]],
    tests: ["tests/engine/release-order.test.ts", "tests/cli/cli.test.ts"],
  },
  {
    name: "nodes outside managed node groups left out of the skew policy",
    file: "node-pools.ts",
    // (Every pool skipped, with the types unchanged so that it still compiles.)
    edits: [
      [
        '    if (!pool || pool.kind === "nodegroup") continue;',
        '    if (!pool || pool.kind === "nodegroup" || pool.name !== "") continue;',
      ],
    ],
    tests: ["tests/engine/node-pools.test.ts", "tests/engine/plan-properties.test.ts"],
  },
  {
    name: "a target below a control-plane update in progress is planned",
    file: "plan.ts",
    edits: [
      [
        "    if (movingTo && compareMinor(this.to, movingTo) < 0) {",
        "    if (movingTo && compareMinor(this.to, movingTo) < -99) {",
      ],
    ],
    tests: ["tests/engine/plan.test.ts", "tests/engine/plan-properties.test.ts"],
  },
  {
    name: "a stop request lets the run go on",
    file: "execute.ts",
    edits: [
      [
        "    if (run.stopping && outcomes.length < plan.steps.length) throw stopped();",
        "    if (run.stopping && !run) throw stopped();",
      ],
    ],
    tests: ["tests/engine/brakes.test.ts", "tests/cli/cli.test.ts"],
  },
  {
    name: "a pause of the cluster is not read during a run",
    file: "execute.ts",
    edits: [
      [
        "      const pause = await readPause(this.eks, this.spec.clusterName).catch(() => undefined);",
        "      const pause = await readPause(this.eks, this.spec.clusterName).then(() => undefined);",
      ],
    ],
    tests: ["tests/engine/brakes.test.ts", "tests/cli/cli.test.ts"],
  },
  {
    name: "crash-looping pods pass the health gate",
    file: "kubernetes/workload-health.ts",
    edits: [
      [
        "const failing = failedBefore ? [] : pods.filter((p) => p.failing).map(failingLine);",
        "const failing = failedBefore ? [] : pods.filter((p) => p.failing && false).map(failingLine);",
      ],
    ],
    tests: ["tests/engine/workload-health.test.ts", "tests/kubernetes/health-gate.test.ts"],
  },
  {
    name: "a failed health gate lets the run go on",
    file: "execute.ts",
    edits: [
      [
        'if (!unhealthy.length || gate === "warn" || this.unhealthy) return;',
        'if (unhealthy.length || gate === "warn" || this.unhealthy) return;',
      ],
    ],
    tests: ["tests/kubernetes/health-gate.test.ts"],
  },
  {
    name: "a custom AMI's containerd 1.x is not read",
    file: "drain-checks.ts",
    edits: [["/^containerd:\\/\\/1\\./.test(", "/^containerd:\\/\\/0\\./.test("]],
    tests: ["tests/engine/drain-checks.test.ts", "tests/kubernetes/drain-checks.test.ts"],
  },
];

function sh(command: string, args: string[]): string {
  return execFileSync(command, args, { cwd: ROOT, encoding: "utf8" });
}

if (sh("git", ["status", "--porcelain", "--", SRC]).trim()) {
  console.error("test:mutations: providers/engine/src has uncommitted changes; commit or stash them first");
  process.exit(2);
}

const originals = new Map<string, string>();
const restore = () => {
  for (const [file, text] of originals) writeFileSync(file, text);
  originals.clear();
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    restore();
    process.exit(130);
  });
}

const build = () => sh("npm", ["run", "build"]);
const results: { name: string; caught: string[] }[] = [];
try {
  const only = process.argv.slice(2);
  for (const m of MUTATIONS.filter((x) => !only.length || only.some((w) => x.name.includes(w)))) {
    const file = join(SRC, m.file);
    const text = readFileSync(file, "utf8");
    originals.set(file, text);
    let mutated = text;
    for (const [from, to] of m.edits) {
      const count = mutated.split(from).length - 1;
      if (count !== 1) throw new Error(`${m.name}: "${from}" occurs ${count} times in ${m.file}`);
      mutated = mutated.replace(from, to);
    }
    writeFileSync(file, mutated);
    build();
    const run = spawnSync(
      process.execPath,
      [
        join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
        "--test",
        "--test-reporter=spec",
        "--test-timeout=300000",
        "--test-force-exit",
        "--import",
        "./tests/support/process-guard.ts",
        ...m.tests,
      ],
      { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    restore();
    // The spec reporter lists each failed test under "failing tests" as "✖ <name> (<ms>)".
    const failing = run.stdout.slice(run.stdout.lastIndexOf("✖ failing tests:"));
    const caught = [
      ...new Set(
        failing
          .split("\n")
          .filter((l) => l.startsWith("✖ ") && !l.startsWith("✖ failing tests"))
          .map((l) => l.slice(2).replace(/ \(\d+(\.\d+)?ms\)$/, "")),
      ),
    ];
    results.push({ name: m.name, caught: run.status === 0 ? [] : caught });
    console.log(`${run.status === 0 ? "SURVIVED" : "killed  "} ${m.name}: ${caught.length} tests failed`);
  }
} finally {
  restore();
  build();
}

console.log("\n| mutation | caught by |\n|---|---|");
for (const r of results)
  console.log(`| ${r.name} | ${r.caught.length ? r.caught.join("; ") : "**nothing: survived**"} |`);
const survived = results.filter((r) => r.caught.length === 0);
console.log(`\n${results.length - survived.length} killed, ${survived.length} survived`);
process.exit(survived.length ? 1 : 0);
