import { CHECKS } from "./checks";
import { plainKey, renderKeys } from "./keys";

/** docs/checks.md, generated from CHECKS (`npm run docs:checks`); a test keeps the page current. */
export function checksMarkdown(): string {
  const rows = Object.entries(CHECKS).map(
    ([name, c]) =>
      `| ${c.code} | \`${name}\` | ${c.severity} | ${c.title} | ${renderKeys(c.remedy, plainKey).replace(/\|/g, "\\|")} |`,
  );
  return [
    "# Checks",
    "",
    "Every refusal (violation) and warning of the planner has a stable code. A violation stops the",
    "plan before any call that changes the cluster (`pulumi preview` fails with it; the CLI exits 2);",
    "a warning is shown with the plan. Each finding names the spec field it is about, a message with",
    "the specifics, and the remedy below (some add specifics to it).",
    "",
    "Generated from `CHECKS` in `providers/engine/src/checks.ts` by `npm run docs:checks`.",
    "",
    "| code | name | severity | meaning | remedy |",
    "|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}
