import { type ClusterRef, mapLimit, parseClusterRef } from "@eks-upgrade/engine";
import { FLEET_FILE, type Fleet } from "../infra/fleet";
import { CliError } from "./errors";
import { fromStack } from "./options";

/** How many stacks the fleet commands read at once (each is a handful of EKS calls). */
const AT_ONCE = 8;

/**
 * Runs `fn` for each stack of the fleet, in stage order, eight at a time; results keep that order.
 * `progress` hears how many are done after each.
 */
export async function eachStack<T>(
  fleet: Fleet,
  fn: (stage: string, stack: string) => Promise<T>,
  progress?: (done: number, total: number) => void,
): Promise<T[]> {
  const all = fleet.stages.flatMap((s) => s.selected.map((stack) => ({ stage: s.name, stack })));
  let done = 0;
  return mapLimit(all, AT_ONCE, async ({ stage, stack }) => {
    const result = await fn(stage, stack);
    progress?.(++done, all.length);
    return result;
  });
}

/**
 * "reading stacks: 5/12" rewritten in place on stderr while a person watches (a terminal), and
 * cleared once the work is done; nothing elsewhere.
 */
export async function withStackProgress<T>(
  what: string,
  work: (progress?: (done: number, total: number) => void) => Promise<T>,
): Promise<T> {
  if (!process.stderr.isTTY) return work();
  try {
    return await work((done, total) => process.stderr.write(`\r${what}: ${done}/${total}`));
  } finally {
    process.stderr.write("\r\x1b[K");
  }
}

/** The cluster a stack's file names (cluster, region, endpoints); throws why it cannot be read. */
export function clusterRefOf(stack: string): ClusterRef {
  const { input } = fromStack(stack, { promotion: false });
  return parseClusterRef({
    clusterName: input.clusterName,
    region: input.region ?? process.env.AWS_REGION,
    endpoints: input.endpoints,
  });
}

/** The stage `--stage <name>` names; refused, listing the stages, when the fleet file has none of that name. */
export function stageNamed(fleet: Fleet, name: string): Fleet["stages"][number] {
  const stage = fleet.stages.find((s) => s.name === name);
  if (!stage)
    throw new CliError(
      `--stage ${name}: no such stage in ${FLEET_FILE} (stages: ${fleet.stages.map((s) => s.name).join(", ")}); nothing was changed`,
    );
  return stage;
}
