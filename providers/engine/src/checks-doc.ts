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
  // The rollback is a CLI command of its own, and --only a CLI option: no stack config form.
  const stackKey = (k: string) =>
    k.startsWith("rollback.")
      ? "— (`eks-upgrade rollback`)"
      : k === "only"
        ? "— (CLI only)"
        : `\`${config(k)}\``;
  const rows = Object.entries(CHECKS).map(
    ([name, c]) =>
      `| ${c.code} | \`${name}\` | ${c.severity} | ${stackKey(c.key)} | \`${cell(flag(c.key))}\` | ${c.title}${"source" in c && c.source ? ` ([source](${c.source}))` : ""} | ${cell(renderKeys(c.remedy, plainKey))} |`,
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
    "## Node AMI releases: order and pins",
    "",
    "A release is read by the AMI family of its node group (its `amiType`), never by the shape of",
    "the string: Amazon Linux 2 and 2023 (`1.35.8-20260930`) order by the Kubernetes patch, then the",
    "build date; Bottlerocket (`1.58.0-c5c37032`) by its OS version, the 8-character build id being",
    "a hash that takes no part (it can be all digits: `1.51.0-47438798` is older than 1.58.0);",
    "Windows (`1.35-2026.04.18`) by its date. A pin that does not read as its family's is EKSUP007;",
    "a running or newest release that does not is EKSUP031, and that node group is not ordered.",
    "",
    "Every pinned release is looked up before the first change, through the SSM parameter AWS",
    "publishes for exactly that release (Amazon Linux: the image id under the AMI's name, which",
    "carries the build date; Bottlerocket: the image id under the version and build id). A pin AWS",
    "does not publish is EKSUP018, so `plan`, `apply`, `pulumi preview` and `pulumi up` refuse it",
    "with no change made, rather than EKS refusing the node group after the control plane and add-ons",
    "have moved. An Amazon Linux name does not carry the Kubernetes patch: a pin with a published",
    "build date and a wrong patch is still refused by EKS, at that node group's step.",
    "",
    "Windows AMIs have no per-release parameter (AWS publishes only the latest), so a Windows pin",
    "cannot be checked before a run. eks-upgrade refuses it (EKSUP032) unless it is the newest",
    "release or the one the node group runs, rather than run it last and risk a half-moved cluster",
    "on input a read could not confirm: a refusal costs a config change; a late EKS refusal costs a",
    "cluster whose control plane and add-ons moved while that node group did not.",
    "",
  ].join("\n");
}
