import { AuditLog } from "./audit";
import { EksBackend } from "./backend";
import { Catalog } from "./catalog";
import { SimClock } from "./clock";
import { SeedError } from "./errors";
import { type Fault, type FaultInput, FaultSchema, FaultSet } from "./faults";
import { formatIssues, parseSeed, type Seed, type SeedInput } from "./seed";
import { SsmBackend } from "./ssm";
import { DEFAULT_TIMING, Timing } from "./timing";

/** Everything one seed gives rise to; a reset builds a new one. */
export class World {
  readonly clock: SimClock;
  readonly catalog: Catalog;
  readonly faults: FaultSet;
  readonly audit = new AuditLog();
  readonly eks: EksBackend;
  readonly ssm: SsmBackend;
  /** How long updates take here (benchmarks compute the critical path from it). */
  readonly timing: Timing;

  constructor(readonly seed: Seed) {
    this.clock = new SimClock(seed.timeScale, seed.startTime ? Date.parse(seed.startTime) : Date.now());
    this.catalog = Catalog.default();
    if (seed.catalog) this.catalog.merge(seed.catalog);
    this.faults = new FaultSet(seed.randomSeed);
    this.timing = new Timing({ ...DEFAULT_TIMING, ...seed.timing });
    this.eks = new EksBackend(
      this.catalog,
      this.clock,
      this.timing,
      this.faults,
      seed.region,
      seed.accountId,
    );
    this.eks.load(seed);
    // The seed may have added releases to the catalog; the SSM parameters follow it.
    this.ssm = new SsmBackend(this.catalog, seed.region);
    seed.faults.forEach((f, i) => {
      this.inject(f, `faults[${i}]`);
    });
  }

  /** Validates and applies a fault; `externalUpdate` starts its update at once. Returns the fault id. */
  inject(input: FaultInput | Fault, where = "fault"): number {
    const parsed = FaultSchema.safeParse(input);
    if (!parsed.success) {
      throw new SeedError(
        `invalid ${where}: ${formatIssues(parsed.error.issues).replace(/^\(root\)/, where)}`,
      );
    }
    const fault = parsed.data;
    if (fault.kind !== "externalUpdate") return this.faults.add(fault, this.clock.now());
    if (fault.nodegroup) {
      this.eks.updateNodegroupVersion(
        fault.cluster,
        fault.nodegroup,
        { version: fault.version, releaseVersion: fault.releaseVersion },
        "external",
      );
    } else if (fault.addon) {
      this.eks.updateAddon(fault.cluster, fault.addon, { addonVersion: fault.addonVersion }, "external");
    } else {
      this.eks.updateClusterVersion(fault.cluster, { version: fault.version }, "external");
    }
    return 0;
  }
}

export interface EmulatorOptions {
  /** A seed object or the path of a seed JSON file. */
  seed?: SeedInput | string;
  /** Overrides the seed's timeScale. */
  timeScale?: number;
}

export function buildSeed(options: EmulatorOptions, load: (file: string) => Seed): Seed {
  const seed = typeof options.seed === "string" ? load(options.seed) : parseSeed(options.seed ?? {});
  if (options.timeScale !== undefined) {
    if (!(options.timeScale > 0)) throw new SeedError(`timeScale: must be > 0, got ${options.timeScale}`);
    return { ...seed, timeScale: options.timeScale };
  }
  return seed;
}
