import {
  createClients,
  destroyClients,
  estimatePlanMinutes,
  extendedSupportExtraPerMonth,
  inspect,
  operationalFinding,
  type Plan,
  planEstimate,
  renderKeys,
} from "@eks-upgrade/engine";
import type { Fleet } from "../infra/fleet";
import { eachStack } from "./fleet-stacks";
import { keysFor } from "./keys";
import { fittedTable, outputWidth } from "./layout";
import { specAndScale } from "./options";
import { renderPlan } from "./render";

/**
 * `eks-upgrade fleet plan`: each stack's plan (as `eks-upgrade plan --stack` makes it, optionally
 * to another minor than its stack file says), summed up per stage and laid out as a calendar —
 * stages in order, each stage's stacks `maxParallel` at a time, then its soak — with what extended
 * support costs before and after. Reads only.
 */
export interface StackPlan {
  stage: string;
  stack: string;
  cluster: string;
  from?: string | undefined;
  to?: string | undefined;
  steps: number;
  /** The plan's estimate (engine estimates.ts), minutes. */
  minutes: number;
  estimate: string;
  /** Refusals: code, the key as the stack file names it, the message. */
  refused: { code: string; key: string; message: string }[];
  /** What extended support adds a month now, and once the plan has run. */
  extraPerMonth: { now: number; after: number };
  /** The plan itself (markdown details, JSON), and the node groups its stack updates at once. */
  plan?: Plan | undefined;
  concurrency?: number | undefined;
  error?: string | undefined;
}

export interface StageCalendar {
  name: string;
  stacks: string[];
  maxParallel: number;
  maxFailures: number;
  soakHours: number;
  /** The stage's stacks in maxParallel lanes, each stack taking the next free lane in order. */
  minutes: number;
  /** Hours from the start of the rollout. */
  startsAtHour: number;
  endsAtHour: number;
}

export interface FleetPlan {
  clusterVersion?: string | undefined;
  stacks: StackPlan[];
  stages: StageCalendar[];
  /** The last stage's end: the rollout's length without the last soak, in hours. */
  totalHours: number;
  extraPerMonth: { now: number; after: number };
}

export async function fleetPlan(
  fleet: Fleet,
  clusterVersion: string | undefined,
  progress?: (done: number, total: number) => void,
): Promise<FleetPlan> {
  const stacks = await eachStack(fleet, (stage, stack) => stackPlan(stage, stack, clusterVersion), progress);
  let clock = 0;
  const stages = fleet.stages.map((s): StageCalendar => {
    const lanes = new Array<number>(s.maxParallel).fill(0);
    for (const p of stacks.filter((x) => x.stage === s.name)) {
      const i = lanes.indexOf(Math.min(...lanes));
      lanes[i] = (lanes[i] ?? 0) + p.minutes;
    }
    const minutes = Math.max(...lanes);
    const startsAtHour = clock;
    const endsAtHour = startsAtHour + minutes / 60;
    clock = endsAtHour + s.soakHours;
    return {
      name: s.name,
      stacks: s.selected,
      maxParallel: s.maxParallel,
      maxFailures: s.maxFailures,
      soakHours: s.soakHours,
      minutes,
      startsAtHour,
      endsAtHour,
    };
  });
  const sum = (f: (p: StackPlan) => number) => stacks.reduce((n, p) => n + f(p), 0);
  return {
    clusterVersion,
    stacks,
    stages,
    totalHours: stages.at(-1)?.endsAtHour ?? 0,
    extraPerMonth: { now: sum((p) => p.extraPerMonth.now), after: sum((p) => p.extraPerMonth.after) },
  };
}

async function stackPlan(
  stage: string,
  stack: string,
  clusterVersion: string | undefined,
): Promise<StackPlan> {
  const none = { steps: 0, minutes: 0, estimate: "-", refused: [], extraPerMonth: { now: 0, after: 0 } };
  let made: ReturnType<typeof specAndScale>;
  try {
    // The stages' own order and soak are the calendar below: the stacks' promotion gates, which
    // refuse a later stage until an earlier one has run, are not asked here.
    made = specAndScale({ stack, ...(clusterVersion ? { clusterVersion } : {}) }, undefined, {
      promotion: false,
    });
  } catch (e) {
    return { stage, stack, cluster: "?", ...none, error: (e as Error).message };
  }
  const { spec, keys } = made;
  const clients = createClients(spec);
  try {
    const { plan } = await inspect(clients, spec);
    const extra = (minor: string | undefined) =>
      extendedSupportExtraPerMonth(plan.support.find((v) => v.minor === minor)?.status);
    return {
      stage,
      stack,
      cluster: spec.clusterName,
      from: plan.from,
      to: plan.to,
      steps: plan.steps.length,
      // A refused plan runs nothing: it takes no time in its stage.
      minutes: plan.violations.length ? 0 : estimatePlanMinutes(plan, spec.upgrade.concurrency),
      estimate: planEstimate(plan, spec.upgrade.concurrency),
      refused: plan.violations.map((v) => ({
        code: v.code,
        key: keys(v.field),
        message: renderKeys(v.message, keys),
      })),
      // A refused plan changes nothing: what runs now stays.
      extraPerMonth: { now: extra(plan.from), after: extra(plan.violations.length ? plan.from : plan.to) },
      plan,
      concurrency: spec.upgrade.concurrency,
    };
  } catch (e) {
    const at = { clusterName: spec.clusterName, region: spec.region, endpoint: spec.endpoints?.eks };
    const f = operationalFinding(e, at);
    return {
      stage,
      stack,
      cluster: spec.clusterName,
      ...none,
      error: f ? `${f.code} ${f.message}` : (e as Error).message,
    };
  } finally {
    destroyClients(clients);
  }
}

const hours = (h: number) =>
  h < 48 ? `${Math.round(h * 10) / 10} h` : `${Math.round((h / 24) * 10) / 10} days`;

function stackCells(p: StackPlan): string[] {
  const outcome = p.error
    ? `cannot read: ${p.error}`
    : p.refused.length
      ? `refused: ${[...new Set(p.refused.map((r) => r.code))].join(", ")}`
      : p.steps
        ? `${p.steps} steps, ~${p.minutes} min`
        : "nothing to do";
  const money = (n: number) => (n ? `$${n}` : "-");
  return [
    p.stage,
    p.stack,
    p.cluster,
    p.from && p.to ? `${p.from} -> ${p.to}` : "?",
    outcome,
    `${money(p.extraPerMonth.now)} -> ${money(p.extraPerMonth.after)}`,
  ];
}

const STACK_HEAD = ["stage", "stack", "cluster", "versions", "plan", "+$/month"];

function calendarLines(f: FleetPlan): string[] {
  return [
    ...f.stages.map(
      (s) =>
        `Stage ${s.name}: ${s.stacks.length} stack${s.stacks.length === 1 ? "" : "s"}, ${s.maxParallel} at a time, ~${s.minutes} min; from +${hours(s.startsAtHour)} to +${hours(s.endsAtHour)}` +
        (s.soakHours ? `, then a ${s.soakHours} h soak` : ""),
    ),
    `The rollout: ~${hours(f.totalHours)} from the first stage's start to the last one's end. Extended support: $${f.extraPerMonth.now} a month now, $${f.extraPerMonth.after} after.`,
  ];
}

/** A pull-request comment holds 65,536 characters; the fleet table and calendar always fit, the plans while they do. */
const COMMENT_BUDGET = 60_000;

export function renderFleetPlan(
  f: FleetPlan,
  format: "table" | "markdown" | "json",
  width = outputWidth(),
): string {
  if (format === "json") return JSON.stringify(f, null, 2);
  if (format === "table")
    return [
      fittedTable(
        width,
        STACK_HEAD.map((h) => h.toUpperCase()),
        f.stacks.map(stackCells),
        { plain: true },
      ),
      "",
      ...calendarLines(f),
      ...f.stacks.flatMap((p) => p.refused.map((r) => `${p.stack}: ${r.code} ${r.key}: ${r.message}`)),
    ].join("\n");
  const escape = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");
  const head = [
    `### Fleet plan${f.clusterVersion ? ` to ${f.clusterVersion}` : ""}`,
    "",
    `| ${STACK_HEAD.join(" | ")} |`,
    `| ${STACK_HEAD.map(() => "---").join(" | ")} |`,
    ...f.stacks.map((p) => `| ${stackCells(p).map(escape).join(" | ")} |`),
    "",
    ...calendarLines(f).map((l) => `- ${l}`),
    "",
  ].join("\n");
  let out = head;
  const left: string[] = [];
  for (const p of f.stacks) {
    if (!p.plan) continue;
    const details = `<details><summary>${p.stack}: ${p.refused.length ? "refused" : p.estimate}</summary>\n\n${renderPlan(p.plan, "markdown", { concurrency: p.concurrency ?? 1, keys: keysFor(p.stack), title: `Plan for ${p.stack}` })}\n\n</details>\n`;
    if (out.length + details.length > COMMENT_BUDGET) left.push(p.stack);
    else out += details;
  }
  if (left.length)
    out += `\n${left.length} more plans did not fit one comment: eks-upgrade plan --stack <stack> (${left.join(", ")}).\n`;
  return out;
}
