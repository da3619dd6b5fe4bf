import {
  describeSupport,
  type Finding,
  type KeyRenderer,
  type Plan,
  planEstimate,
  plainKey,
  renderKeys,
  type Step,
  wrapLine,
} from "@eks-upgrade/engine";
import pc from "picocolors";
import { fittedTable, outputWidth } from "./layout";

/** How a plan and its findings print: a terminal table, Markdown for a pull request, or the engine's JSON. */
export type Format = "table" | "markdown" | "json";
export const FORMATS: Format[] = ["table", "markdown", "json"];

const KIND: Record<Step["kind"], string> = {
  controlPlane: "control plane",
  addon: "add-on",
  nodegroup: "node group",
  nodegroupConfig: "node group config",
};

export interface PlanLayout {
  /** Node groups updated at once: the estimate depends on it. */
  concurrency: number;
  /** Renders the spec keys findings name: flags, stack file keys, or plain keys. */
  keys?: KeyRenderer;
  title?: string;
  /** The table's width: the terminal's (layout.ts). */
  width?: number;
}

export function renderPlan(plan: Plan, format: Format, layout: PlanLayout): string {
  if (format === "json") return JSON.stringify(plan, null, 2);
  const { concurrency, keys = plainKey, title = "Upgrade plan", width = outputWidth() } = layout;
  return format === "markdown"
    ? planMarkdown(plan, concurrency, keys, title)
    : planTable(plan, concurrency, keys, title, width);
}

/** Each minor of the way with its support, as EKS reports it: "1.33 (extended support until 2027-07-29)". */
function supportLine(plan: Plan): string | undefined {
  return plan.support.length
    ? `EKS support: ${plan.support.map((v) => `${v.minor} (${describeSupport(v)})`).join(" -> ")}`
    : undefined;
}

/** How old the upgrade insights are that the plan gates on. */
function insightsLine(plan: Plan): string | undefined {
  if (!plan.insightsEvaluatedAt) return undefined;
  const hours = Math.floor((Date.parse(plan.madeAt) - Date.parse(plan.insightsEvaluatedAt)) / 3_600_000);
  const age =
    hours < 1
      ? "less than an hour ago"
      : hours < 48
        ? `${hours} hour${hours === 1 ? "" : "s"} ago`
        : `${Math.floor(hours / 24)} days ago`;
  return `Upgrade insights evaluated ${plan.insightsEvaluatedAt.slice(0, 16).replace("T", " ")} UTC (${age})`;
}

function planTable(plan: Plan, concurrency: number, keys: KeyRenderer, title: string, width: number): string {
  const out: string[] = [pc.bold(`${title} for ${plan.cluster}: ${plan.from} -> ${plan.to}`)];
  const support = supportLine(plan);
  if (support) out.push(wrapLine(support, width, "  ").join("\n"));
  const insights = insightsLine(plan);
  if (insights) out.push(wrapLine(insights, width, "  ").join("\n"));
  if (plan.steps.length) {
    // Fills the terminal: the reason takes the room the other columns leave.
    const rows = plan.steps.map((s, i) => [
      String(i + 1),
      String(s.phase),
      s.kind === "controlPlane" ? KIND[s.kind] : `${KIND[s.kind]} ${s.target}`,
      `${s.from} -> ${s.to}`,
      String(s.estimatedMinutes),
      s.reason,
    ]);
    const table = fittedTable(width, ["#", "phase", "step", "change", "~min", "why"], rows, { fill: 5 });
    out.push(
      table,
      wrapLine(`Estimated duration: ${planEstimate(plan, concurrency)}`, width, "  ").join("\n"),
    );
  } else if (!plan.violations.length) {
    out.push("Nothing to do: the cluster already runs the desired versions.");
  }
  out.push(...findings(plan.violations, pc.red("Violations (nothing will be changed):"), keys, width));
  out.push(...findings(plan.warnings, pc.yellow("Warnings:"), keys, width));
  return out.join("\n");
}

function findings(list: Finding[], title: string, keys: KeyRenderer, width: number): string[] {
  if (!list.length) return [];
  const text = (t: string) => renderKeys(t, keys);
  // Wrapped to the table's width.
  const wrap = (line: string) => wrapLine(line, width, "      ").join("\n");
  return [
    title,
    ...list.map(
      (f) =>
        `${wrap(`  ${f.code} ${keys(f.field)}: ${text(f.message)}`)}\n${wrap(`    remedy: ${text(f.remedy)}`)}`,
    ),
  ];
}

function planMarkdown(plan: Plan, concurrency: number, keys: KeyRenderer, title: string): string {
  const esc = (s: string | number) => renderKeys(String(s), keys).replace(/\|/g, "\\|");
  const out = [`### EKS ${title.toLowerCase()}: \`${plan.cluster}\` ${plan.from} → ${plan.to}`, ""];
  const support = supportLine(plan);
  if (support) out.push(support, "");
  const insights = insightsLine(plan);
  if (insights) out.push(insights, "");
  if (plan.steps.length) {
    out.push("| # | phase | step | from | to | est. | why |", "|---|---|---|---|---|---|---|");
    plan.steps.forEach((s, i) => {
      const what = s.kind === "controlPlane" ? KIND[s.kind] : `${KIND[s.kind]} \`${s.target}\``;
      out.push(
        `| ${i + 1} | ${s.phase} | ${what} | \`${esc(s.from)}\` | \`${esc(s.to)}\` | ~${s.estimatedMinutes} min | ${esc(s.reason)} |`,
      );
    });
    out.push("", `**Estimated duration:** ${planEstimate(plan, concurrency)}.`);
  } else if (!plan.violations.length) {
    out.push("Nothing to do: the cluster already runs the desired versions.");
  }
  if (plan.violations.length) {
    out.push("", "#### ❌ Violations — nothing will be changed", "");
    for (const v of plan.violations)
      out.push(`- **${v.code}** \`${keys(v.field)}\`: ${esc(v.message)}. _Remedy:_ ${esc(v.remedy)}`);
  }
  if (plan.warnings.length) {
    out.push("", "#### ⚠️ Warnings", "");
    for (const w of plan.warnings) out.push(`- **${w.code}** \`${keys(w.field)}\`: ${esc(w.message)}`);
  }
  return out.join("\n");
}
