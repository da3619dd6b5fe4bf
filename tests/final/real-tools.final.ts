import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { inCI, TOOLS } from "../support/optional-tool";

/*
 * Runs after the whole suite (npm run test:final): how many test files ran against each real
 * tool (tests/support/optional-tool.ts records them while npm run test:unit runs). In CI every
 * tool must have carried at least one suite: a suite that skips there cannot pass unnoticed.
 */

const RECORD = join(__dirname, "..", "..", ".build", "real-tools.txt");

describe("suites that ran against real tools", () => {
  it("are counted; in CI each tool ran at least one", (t) => {
    const suites = new Map(TOOLS.map((tool) => [tool, new Set<string>()]));
    const lines = existsSync(RECORD) ? readFileSync(RECORD, "utf8").split("\n") : [];
    for (const line of lines) {
      const [tool, file] = line.split(" ");
      if (tool && file) suites.get(tool as (typeof TOOLS)[number])?.add(file);
    }
    const summary = TOOLS.map((tool) => `${tool} ${suites.get(tool)?.size ?? 0}`).join(", ");
    t.diagnostic(`suites against real tools: ${summary}`);
    if (inCI()) {
      for (const tool of TOOLS)
        assert.ok((suites.get(tool)?.size ?? 0) > 0, `no suite ran against ${tool} in CI (${summary})`);
    }
  });
});
