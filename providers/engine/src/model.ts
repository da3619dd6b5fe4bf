import type { Finding } from "./checks";

/** Plain, JSON-serializable data shared by the stages: what observe sees, what resolve finds, what plan decides. */

export interface HealthIssue {
  code: string;
  message: string;
}

/** The target of an update: the control plane, a node group or an add-on. */
export type Target =
  { kind: "controlPlane" } | { kind: "nodegroup"; name: string } | { kind: "addon"; name: string };

export interface ObservedUpdate {
  id: string;
  target: Target;
  type: string;
  status: string;
  params: { type: string; value: string }[];
}

export interface ObservedNodegroup {
  name: string;
  version: string;
  releaseVersion: string;
  amiType: string;
  status: string;
  healthIssues: HealthIssue[];
  desiredSize: number;
  maxUnavailable?: number | undefined;
  maxUnavailablePercentage?: number | undefined;
  /** updateConfig.updateStrategy (EKS treats a missing one as DEFAULT). */
  updateStrategy?: string | undefined;
  launchTemplate?:
    { id?: string | undefined; name?: string | undefined; version?: string | undefined } | undefined;
}

export interface ObservedAddon {
  name: string;
  version: string;
  status: string;
  healthIssues: HealthIssue[];
}

export interface ObservedInsight {
  id: string;
  name: string;
  kubernetesVersion: string;
  status: string;
  category: string;
  reason: string;
  /** When EKS last evaluated it (epoch ms): insights refresh daily, or on StartInsightsRefresh. */
  lastRefreshTime?: number | undefined;
}

export interface Observed {
  cluster: {
    name: string;
    version: string;
    platformVersion: string;
    status: string;
    healthIssues: HealthIssue[];
    /** upgradePolicy.supportType: STANDARD (EKS upgrades at the end of standard support) or EXTENDED. */
    supportType: string;
    /** EKS Auto Mode (computeConfig.enabled): EKS upgrades its own nodes after the control plane. */
    autoMode: boolean;
  };
  /** When observe read the cluster (epoch ms): support windows are measured from it. */
  observedAt: number;
  /**
   * The control plane's last in-place change of minor, when asked for (the bake period, rollback):
   * an upgrade from `from` to `to`, or a rollback. EKS reports when an update started, not when it
   * ended: `startedAt` is that.
   */
  lastVersionChange?:
    { type: string; from: string; to: string; startedAt: number; updateId: string } | undefined;
  nodegroups: ObservedNodegroup[];
  addons: ObservedAddon[];
  insights: ObservedInsight[];
  updatesInProgress: ObservedUpdate[];
}

export interface AddonVersionInfo {
  version: string;
  isDefault: boolean;
}

/** A Kubernetes minor as EKS lists it (DescribeClusterVersions), dates as YYYY-MM-DD. */
export interface KubernetesVersionSupport {
  minor: string;
  /** STANDARD_SUPPORT, EXTENDED_SUPPORT or UNSUPPORTED, as EKS reports it now. */
  status: string;
  releaseDate?: string | undefined;
  endOfStandardSupport?: string | undefined;
  endOfExtendedSupport?: string | undefined;
}

/** What resolve found out about versions, for the minors the plan may touch. */
export interface ResolvedCatalog {
  /** Kubernetes minors EKS offers, oldest first, with their support windows. */
  kubernetesVersions: KubernetesVersionSupport[];
  /** minor -> add-on -> versions compatible with that minor, newest first. */
  addonVersions: Record<string, Record<string, AddonVersionInfo[]>>;
  /** "<amiType>@<minor>" -> newest AMI release (null: SSM has none, as for AL2 after 1.32). */
  latestReleases: Record<string, string | null>;
}

export type StepKind = "controlPlane" | "addon" | "nodegroup" | "nodegroupConfig";

/** The API input of a step, without the cluster and target names. */
export type StepRequest =
  | {
      kind: "controlPlane";
      version: string;
      force: boolean;
      /** A rollback (eks-upgrade rollback only): EKS cancels it if it takes longer than this. */
      rollback?: { timeoutMinutes: number } | undefined;
    }
  | {
      kind: "addon";
      addonVersion: string;
      resolveConflicts?: "OVERWRITE" | "NONE" | "PRESERVE" | undefined;
      /** Back to an older version (eks-upgrade rollback only). */
      rollback?: boolean | undefined;
    }
  | {
      kind: "nodegroup";
      version?: string | undefined;
      releaseVersion?: string | undefined;
      launchTemplate?: { id?: string | undefined; name?: string | undefined; version: string } | undefined;
      force: boolean;
      /** Back to the minor the control plane returns to (eks-upgrade rollback only). */
      rollback?: boolean | undefined;
    }
  | {
      kind: "nodegroupConfig";
      maxUnavailable?: number | undefined;
      maxUnavailablePercentage?: number | undefined;
      updateStrategy?: "DEFAULT" | "MINIMAL" | undefined;
    };

export interface Step {
  /** Stable: the same plan gives the same ids, so a re-run can tell finished steps. */
  id: string;
  kind: StepKind;
  /** The cluster for a control-plane step, else the node group's or add-on's name. */
  target: string;
  from: string;
  to: string;
  reason: string;
  /** Steps of one phase may run together (an add-on wave, the node groups); phases run in order. */
  phase: number;
  /** Rough duration, for progress, polling and the plan's estimate. */
  estimatedMinutes: number;
  request: StepRequest;
}

export interface Plan {
  cluster: string;
  from: string;
  to: string;
  /** Support of each minor from the running one to the target, as EKS reports it. */
  support: KubernetesVersionSupport[];
  /** When the plan was made, by EKS's clock (ISO 8601). */
  madeAt: string;
  /** When the oldest upgrade insight the plan used was evaluated (ISO 8601), if EKS said. */
  insightsEvaluatedAt?: string | undefined;
  steps: Step[];
  violations: Finding[];
  warnings: Finding[];
  /** One readable line per step, in order. */
  lines: string[];
}
