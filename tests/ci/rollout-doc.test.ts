import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CONFIG_KEYS } from "../../infra/config";
import { ROOT } from "../support/provider";

const doc = readFileSync(join(ROOT, "docs", "rollout.md"), "utf8");
const scripts = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> })
    .scripts,
);
const STACK_OUTPUTS = [
  "clusterName",
  "controlPlaneVersion",
  "addonVersions",
  "nodeGroupReleases",
  "lastRun",
  "upgradedAt",
];
const PULUMI_COMMANDS = ["preview", "up", "refresh", "config", "stack", "login"];

/** Every command of the document's bash blocks, one per line, comments removed. */
function commands(): string[] {
  return [...doc.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((m) =>
    (m[1] ?? "")
      .split("\n")
      .map((l) => l.replace(/\s+#.*$/, "").trim())
      .filter(Boolean),
  );
}

function cliHelp(command: string): string {
  return execFileSync(process.execPath, [join(ROOT, "dist", "cli", "index.js"), command, "--help"], {
    encoding: "utf8",
  });
}

describe("docs/rollout.md", () => {
  it("every command in it is one the project really has", () => {
    const all = commands();
    assert.ok(all.length > 10);
    for (const line of all) {
      const words = line.split(/\s+/);
      const stack = words[words.indexOf("--stack") + 1];
      if (words.includes("--stack") && stack !== "<stack>")
        assert.ok(existsSync(join(ROOT, `Pulumi.${stack}.yaml`)), `${line}: no stack ${stack}`);
      if (words[0] === "npm") {
        if (words[1] === "run")
          assert.ok(scripts.includes(words[2] ?? ""), `${line}: no npm script ${words[2]}`);
        else assert.ok(["ci", "install", "test"].includes(words[1] ?? ""), line);
      } else if (words[0] === "npx" && words[1] === "eks-upgrade") {
        const help = cliHelp(words[2] ?? "");
        for (const option of words.filter((w) => w.startsWith("--")))
          assert.ok(help.includes(option), `${line}: eks-upgrade ${words[2]} has no ${option}`);
      } else if (words[0] === "pulumi") {
        assert.ok(PULUMI_COMMANDS.includes(words[1] ?? ""), line);
        const key = /'eks-upgrade:([A-Za-z]+)/.exec(line)?.[1];
        if (words[1] === "config")
          assert.ok(key && CONFIG_KEYS.includes(key), `${line}: no config key ${key}`);
        if (words[1] === "stack" && words[2] === "output")
          assert.ok(STACK_OUTPUTS.includes(words[3] ?? ""), `${line}: no output ${words[3]}`);
        if (words.includes("--policy-pack"))
          assert.ok(
            existsSync(join(ROOT, words[words.indexOf("--policy-pack") + 1] ?? "", "PulumiPolicy.yaml")),
            line,
          );
      } else {
        assert.fail(`unexpected command: ${line}`);
      }
    }
  });

  it("names the workflows and documents that exist", () => {
    for (const path of [...doc.matchAll(/`(\.github\/workflows\/[\w.-]+)`/g)].map((m) => m[1] ?? "")) {
      assert.ok(existsSync(join(ROOT, path)), path);
    }
    assert.ok(existsSync(join(ROOT, "docs", "checks.md")));
  });
});
