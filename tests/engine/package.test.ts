import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CHECKS } from "../../providers/engine/src/checks";

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
  it("lists every check with its code, severity and remedy, and nothing else", () => {
    const doc = readFileSync(join(__dirname, "..", "..", "docs", "checks.md"), "utf8");
    for (const [name, c] of Object.entries(CHECKS)) {
      const row = doc.split("\n").find((l) => l.startsWith(`| ${c.code} |`));
      assert.ok(row, `${c.code} ${name} is in docs/checks.md`);
      assert.ok(
        row.includes(`\`${name}\``) && row.includes(c.severity) && row.includes(c.title),
        `${c.code} row is current`,
      );
      assert.ok(row.includes(c.remedy.replace(/\|/g, "\\|")), `${c.code} remedy is current`);
    }
    const codes = [...doc.matchAll(/^\| (EKSUP\d{3}) \|/gm)].map((m) => m[1]);
    assert.deepEqual(
      codes,
      Object.values(CHECKS).map((c) => c.code),
      "no stale rows",
    );
  });
});
