import { appendFileSync } from "node:fs";

/** The audit log: one entry per AWS API call the emulator answered (admin calls are not logged). */

export interface AuditEntry {
  seq: number;
  /** Simulated epoch milliseconds. */
  time: number;
  service: "eks" | "ssm" | "sts";
  operation: string;
  /** True for calls that change state (Update*), whatever their outcome. */
  mutating: boolean;
  cluster?: string;
  nodegroup?: string;
  addon?: string;
  updateId?: string;
  /** The parameters that matter for an upgrade: versions, release, force, names asked for. */
  params?: Record<string, unknown>;
  status: number;
  errorType?: string;
  /** Set when an injected fault answered instead of the service. */
  fault?: string;
  /** The caller's user agent (the SDK's, with any custom suffix). */
  userAgent?: string;
}

const MUTATING = new Set([
  "UpdateClusterVersion",
  "UpdateNodegroupVersion",
  "UpdateNodegroupConfig",
  "UpdateAddon",
  "TagResource",
  "UntagResource",
]);

export function isMutating(operation: string): boolean {
  return MUTATING.has(operation);
}

/**
 * With EKS_UPGRADE_API_USAGE set to a file, every operation answered by any emulator of this
 * process is appended to it at exit (one "service operation user-agent" line each, deduplicated):
 * the IAM policy check reads the whole test suite's usage from there.
 */
const usage = new Set<string>();
let flushing = false;

function recordUsage(e: AuditEntry): void {
  recordApiUsage(e.service, e.operation, e.userAgent);
}

/** One call of any API the emulator serves or backs ("kubernetes list:policy/poddisruptionbudgets ..."). */
export function recordApiUsage(service: string, operation: string, userAgent: string | undefined): void {
  const file = process.env.EKS_UPGRADE_API_USAGE;
  if (!file) return;
  usage.add(`${service} ${operation} ${userAgent || "-"}`);
  if (!flushing) {
    flushing = true;
    process.once("exit", () => {
      if (usage.size) appendFileSync(file, `${[...usage].join("\n")}\n`);
    });
  }
}

export class AuditLog {
  private entries: AuditEntry[] = [];
  private seq = 0;

  append(entry: Omit<AuditEntry, "seq" | "mutating">): AuditEntry {
    const full = { seq: ++this.seq, mutating: isMutating(entry.operation), ...entry };
    this.entries.push(full);
    recordUsage(full);
    return full;
  }

  /** Entries after `sinceSeq` (all by default), oldest first. */
  list(sinceSeq = 0): AuditEntry[] {
    return this.entries.filter((e) => e.seq > sinceSeq);
  }

  clear(): void {
    this.entries = [];
  }
}
