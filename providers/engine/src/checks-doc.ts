import { CHECKS } from "./checks";
import { configKeyRenderer, type KeyRenderer, plainKey, renderKeys } from "./keys";

/**
 * docs/checks.md, generated from CHECKS (`npm run docs:checks`); a test keeps the page current.
 * Each check names its key as the program's users write it (the stack config key) and as the
 * CLI's users do (`flag`, the CLI's renderer: the engine does not know the CLI's flags).
 */
export function checksMarkdown(flag: KeyRenderer): string {
  const config = configKeyRenderer("eks-upgrade");
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  // The rollback is a CLI command of its own: its keys have no stack config form.
  const stackKey = (k: string) =>
    k.startsWith("rollback.") ? "— (`eks-upgrade rollback`)" : `\`${config(k)}\``;
  const rows = Object.entries(CHECKS).map(
    ([name, c]) =>
      `| ${c.code} | \`${name}\` | ${c.severity} | ${stackKey(c.key)} | \`${cell(flag(c.key))}\` | ${c.title} | ${cell(renderKeys(c.remedy, plainKey))} |`,
  );
  return [
    "# Checks",
    "",
    "Every refusal (violation) and warning of the planner has a stable code. A violation stops the",
    "plan before any call that changes the cluster (`pulumi preview` fails with it; the CLI exits 2);",
    "a warning is shown with the plan. Each finding names the key it is about — in `pulumi preview`",
    "as the stack config key, in the CLI as the flag (with `--stack`, the stack file's key) — a",
    "message with the specifics, and the remedy below (some add specifics to it), whose keys are",
    "rendered the same way. `<name>` stands for the node group's or add-on's name. Errors (EKSUP2xx)",
    "are AWS calls that failed for operational reasons (not found, denied, no credentials, throttled,",
    "unreachable): `pulumi` and the CLI report them the same way (the CLI exits 1).",
    "",
    "Generated from `CHECKS` in `providers/engine/src/checks.ts` by `npm run docs:checks`.",
    "",
    "| code | name | severity | stack config key | CLI | meaning | remedy |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}
