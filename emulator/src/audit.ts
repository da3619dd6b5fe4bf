/** The audit log: one entry per AWS API call the emulator answered (admin calls are not logged). */

export interface AuditEntry {
  seq: number;
  /** Simulated epoch milliseconds. */
  time: number;
  service: "eks" | "ssm";
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
}

const MUTATING = new Set([
  "UpdateClusterVersion",
  "UpdateNodegroupVersion",
  "UpdateNodegroupConfig",
  "UpdateAddon",
]);

export function isMutating(operation: string): boolean {
  return MUTATING.has(operation);
}

export class AuditLog {
  private entries: AuditEntry[] = [];
  private seq = 0;

  append(entry: Omit<AuditEntry, "seq" | "mutating">): AuditEntry {
    const full = { seq: ++this.seq, mutating: isMutating(entry.operation), ...entry };
    this.entries.push(full);
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
