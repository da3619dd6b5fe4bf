import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CHECKS } from "../../providers/engine/src/checks";
import { flagKey } from "../../cli/keys";
import { checksMarkdown } from "../../providers/engine/src/checks-doc";

describe("@eks-upgrade/engine package", () => {
  it("loads by name from its compiled dist/, as the Pulumi provider requires it", () => {
    const resolved = require.resolve("@eks-upgrade/engine");
    assert.match(resolved, /providers[\\/]engine[\\/]dist[\\/]index\.js$/);
    // By name at run time, exactly as the provider's methods will load it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const engine = require("@eks-upgrade/engine") as Record<string, unknown>;
    for (const name of ["parseSpec", "inspect", "observe", "resolve", "plan", "execute", "createClients"]) {
      assert.equal(typeof engine[name], "function", name);
    }
    assert.equal((engine.CHECKS as typeof CHECKS).CONTROL_PLANE_DOWNGRADE.code, "EKSUP001");
  });
});

describe("docs/checks.md", () => {
  it("is generated from the checks table (npm run docs:checks)", () => {
    const doc = readFileSync(join(__dirname, "..", "..", "docs", "checks.md"), "utf8");
    assert.equal(doc, checksMarkdown(flagKey));
    for (const c of Object.values(CHECKS)) assert.ok(doc.includes(`| ${c.code} |`), c.code);
    // Every check names its key in both forms: the program's and the CLI's.
    assert.match(
      doc,
      /\| EKSUP006 \| .* \| `eks-upgrade:nodeGroups\.<name>\.amiReleaseVersion` \| `--ami-release-version <name>=<release>` \|/,
    );
    assert.match(doc, /\| EKSUP001 \| .* \| `eks-upgrade:clusterVersion` \| `--cluster-version` \|/);
  });
});
