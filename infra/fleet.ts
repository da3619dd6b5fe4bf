import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import picomatch from "picomatch";
import { isMap, LineCounter, parseDocument } from "yaml";
import { z } from "zod";

/**
 * fleet.yaml at the project root: the project's stacks (one per cluster) in stages, in order. A
 * stage selects stacks by name, glob (`prod-*`) or Pulumi stack tag (`tag:tier=prod`: the stacks
 * `pulumi stack ls --tag tier=prod` lists), and says how it rolls out: how many stacks at
 * once, how many may fail before it stops, and how long its stacks soak before the next stage.
 * Errors name the file, the line and the key as the user wrote them. Read by the CLI's fleet
 * commands and by the program (a stage's stacks are the promotion gate of the next stage's).
 */
export const FLEET_FILE = "fleet.yaml";

/** A fleet file that cannot be used; the message names the file, line, column and key. */
export class FleetFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FleetFileError";
  }
}

/** `tag:tier=prod` or `tag:tier`: Pulumi stack tags (names are letters, digits, `-_.:/`). */
const TAG_SELECTOR = /^tag:[\w.:/-]+(=.+)?$/;

const StageSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "must be 1-40 lowercase letters, digits or '-'"),
  /**
   * Stack names, globs (`prod-*`) or stack tags (`tag:<name>=<value>`, `tag:<name>`), matched
   * against the project's Pulumi.<stack>.yaml files.
   */
  stacks: z
    .array(
      z
        .string()
        .min(1)
        .refine((s) => !s.startsWith("tag:") || TAG_SELECTOR.test(s), {
          message: "a tag selector is tag:<name>=<value> or tag:<name>",
        }),
    )
    .min(1, "list at least one stack name, glob or tag:<name>=<value>"),
  /** Stacks of the stage that run at once. */
  maxParallel: z.number().int().min(1).max(50).default(1),
  /** Stacks that may fail before the stage stops starting new ones and fails. */
  maxFailures: z.number().int().min(0).default(0),
  /** Hours every stack of the stage runs the target before the next stage may start. */
  soakHours: z
    .number()
    .min(0)
    .max(24 * 30)
    .default(0),
  /** A GitHub environment whose reviewers approve the stage (the Actions workflow). */
  environment: z.string().min(1).optional(),
});

const FleetSchema = z.strictObject({
  stages: z.array(StageSchema).min(1, "list at least one stage"),
});

export type Stage = z.output<typeof StageSchema>;

export interface Fleet {
  file: string;
  /** Each stage with the stacks it selects, sorted. */
  stages: (Stage & { selected: string[] })[];
}

/** The project's stacks: the names of its Pulumi.<stack>.yaml files. */
export function projectStacks(dir: string): string[] {
  return readdirSync(dir)
    .map((f) => /^Pulumi\.([\w.-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/**
 * Reads and checks fleet.yaml in `dir`; every stack in exactly one stage, every pattern matching.
 * A tag selector asks the Pulumi CLI (once per selector); names and globs need nothing but files.
 */
export function loadFleet(dir: string): Fleet {
  const file = join(dir, FLEET_FILE);
  if (!existsSync(file))
    throw new FleetFileError(
      `no ${FLEET_FILE} in ${dir}: a fleet file lists the stacks in stages (README, "Fleets")`,
    );
  const text = readFileSync(file, "utf8");
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const at = (offset: number | undefined) => {
    const pos = lines.linePos(offset ?? 0);
    return `${FLEET_FILE}, line ${pos.line}, column ${pos.col}`;
  };
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new FleetFileError(
      `${at(e?.pos[0])}: ${e?.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")}`,
    );
  }
  const parsed = FleetSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new FleetFileError(
      parsed.error.issues
        .map((i) => {
          // The key's own node when it is there (an unknown key: the key itself), else its parent's.
          const path = i.code === "unrecognized_keys" ? [...i.path, i.keys[0] ?? ""] : i.path;
          const node = nodeAt(doc, path as (string | number)[], i.code === "unrecognized_keys");
          const message = i.code === "unrecognized_keys" ? "unknown key" : i.message;
          return `${at(node)}: ${keyOf(path as (string | number)[])}: ${message}`;
        })
        .join("\n"),
    );
  }
  const stacks = projectStacks(dir);
  const stages = parsed.data.stages.map((stage, n) => {
    const selected = new Set<string>();
    stage.stacks.forEach((pattern, i) => {
      const where = `${at(nodeAt(doc, ["stages", n, "stacks", i]))}: stages[${n}].stacks[${i}]`;
      let isMatch: (stack: string) => boolean;
      if (pattern.startsWith("tag:")) {
        const tagged = taggedStacks(dir, pattern.slice(4), where);
        isMatch = (s) => tagged.has(s);
      } else isMatch = picomatch(pattern);
      const matches = stacks.filter((s) => isMatch(s));
      if (!matches.length)
        throw new FleetFileError(
          `${where}: "${pattern}" matches no stack (stacks: ${stacks.join(", ") || "none"})`,
        );
      matches.forEach((s) => selected.add(s));
    });
    return { ...stage, selected: [...selected].sort() };
  });
  const names = stages.map((s) => s.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice)
    throw new FleetFileError(`${FLEET_FILE}: stage ${twice} is named twice: give each stage its own name`);
  for (const stack of stacks) {
    const homes = stages.filter((s) => s.selected.includes(stack)).map((s) => s.name);
    if (homes.length > 1)
      throw new FleetFileError(
        `${FLEET_FILE}: stack ${stack} is in stages ${homes.join(" and ")}: a stack belongs to one stage`,
      );
  }
  return { file, stages };
}

/**
 * The stacks carrying a tag (`name=value` or `name`), as the project's backend knows them:
 * `pulumi stack ls --tag <tag> --json`, the CLI's own filter, with its login. Names may come back
 * as org/project/stack: the last part is the stack.
 */
function taggedStacks(dir: string, tag: string, where: string): Set<string> {
  let out: string;
  try {
    out = execFileSync("pulumi", ["stack", "ls", "--tag", tag, "--json", "--non-interactive"], {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    const why = err.code === "ENOENT" ? "the pulumi CLI is not on PATH" : (err.stderr ?? err.message).trim();
    throw new FleetFileError(
      `${where}: "tag:${tag}" needs the stacks' tags (pulumi stack ls --tag ${tag}), and they could not be read: ${why}. Log in to the stacks' backend (pulumi login), or select the stacks by name`,
    );
  }
  const listed = JSON.parse(out) as { name: string }[];
  return new Set(listed.map((s) => s.name.split("/").at(-1) ?? s.name));
}

/** The stacks of the project no stage selects (fleet status lists them apart). */
export function unstaged(fleet: Fleet, dir: string): string[] {
  const staged = new Set(fleet.stages.flatMap((s) => s.selected));
  return projectStacks(dir).filter((s) => !staged.has(s));
}

/** Where the value at `path` (or at its key, or its nearest parent) starts: an offset in the file. */
function nodeAt(
  doc: ReturnType<typeof parseDocument>,
  path: (string | number)[],
  atKey = false,
): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const parent = n > 0 ? doc.getIn(path.slice(0, n - 1), true) : undefined;
    // An unknown key: point at the key, not its value.
    if (n > 0 && (atKey || n < path.length) && isMap(parent)) {
      const pair = parent.items.find((p) => (p.key as { value?: unknown })?.value === path[n - 1]);
      const key = pair?.key as { range?: [number, number, number] } | undefined;
      if (key?.range) return key.range[0];
    }
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return node.range[0];
  }
  return undefined;
}

/** `stages[1].maxParallel` */
function keyOf(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i ? `.${p}` : p)).join("") || "(file)";
}

/**
 * Where a stack's promotion gate comes from in a fleet: every stack of the stage before its own,
 * which must have run the target for that stage's soakHours (but for its maxFailures: a stage done
 * within its failure budget lets the next one go). Undefined in the first stage or for a
 * stack no stage holds.
 */
export function upstreamOf(
  fleet: Fleet,
  stack: string,
): { stage: string; stacks: string[]; soakHours: number; maxFailures: number } | undefined {
  const i = fleet.stages.findIndex((s) => s.selected.includes(stack));
  const before = i > 0 ? fleet.stages[i - 1] : undefined;
  return before
    ? {
        stage: before.name,
        stacks: before.selected,
        soakHours: before.soakHours,
        maxFailures: before.maxFailures,
      }
    : undefined;
}

/** The fleet of the project in `dir`, or undefined when it has no fleet file. */
export function fleetOf(dir: string): Fleet | undefined {
  return existsSync(join(dir, FLEET_FILE)) ? loadFleet(dir) : undefined;
}
