import type { Pause } from "./pause";
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
    /** The cluster's Kubernetes API server (DescribeCluster's endpoint and certificateAuthority.data). */
    apiServer?: { endpoint: string; caData: string } | undefined;
    /** Upgrades are paused (the cluster's eks-upgrade:paused tags, pause.ts). */
    pause?: Pause | undefined;
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
  /** What the cluster's API server shows; read when node groups will roll (drain-checks.ts). */
  kubernetes?: ObservedKubernetes | undefined;
  /** Why the API server could not be read, when it was asked and did not answer. */
  kubernetesError?: string | undefined;
}

/** The part of the cluster's Kubernetes objects a node group's drain depends on. */
export interface ObservedKubernetes {
  nodes: ObservedNode[];
  pods: ObservedPod[];
  budgets: ObservedBudget[];
  /** The admission webhooks that may refuse the evicted pods' replacements (absent during a rollout's polls). */
  webhooks?: ObservedWebhook[] | undefined;
  /** Each namespace's labels, for the webhooks' namespaceSelectors. */
  namespaces?: Record<string, Record<string, string>> | undefined;
}

/** One webhook of a Validating- or MutatingWebhookConfiguration. */
export interface ObservedWebhook {
  kind: "validating" | "mutating";
  configuration: string;
  name: string;
  /** Fail (the default when unset) or Ignore. */
  failurePolicy: string;
  /** The in-cluster service it calls; absent for a URL webhook. */
  service?: { namespace: string; name: string } | undefined;
  /** That service's ready endpoints (its EndpointSlices). */
  readyEndpoints: number;
  /** Its rules cover creating pods. */
  createsPods: boolean;
  namespaceSelector: LabelSelector;
  objectSelector: LabelSelector;
}

/**
 * What runs a node, from its labels: a managed node group (eks.amazonaws.com/nodegroup), EKS Auto
 * Mode (eks.amazonaws.com/compute-type=auto), Fargate (compute-type=fargate, its profile), a
 * Karpenter NodePool (karpenter.sh/nodepool), or anything else: self-managed (eksctl's
 * alpha.eksctl.io/nodegroup-name when it is there).
 */
export type NodePool =
  | { kind: "nodegroup"; name: string }
  | { kind: "autoMode"; name: string }
  | { kind: "fargate"; name: string }
  | { kind: "karpenter"; name: string }
  | { kind: "selfManaged"; name: string };

export interface ObservedNode {
  name: string;
  /** Its managed node group (label eks.amazonaws.com/nodegroup). */
  nodegroup?: string | undefined;
  /** What runs it (the managed node group's nodes too); absent on nodes read before pools were. */
  pool?: NodePool | undefined;
  kubeletVersion: string;
  ready: boolean;
  unschedulable: boolean;
  /** Carries EKS's eks.amazonaws.com/nodegroup=unschedulable:NoSchedule: an update is draining it. */
  draining: boolean;
  /** status.nodeInfo.osImage: "Amazon Linux 2023", "Ubuntu 20.04.6 LTS", ... */
  osImage?: string | undefined;
  /** status.nodeInfo.containerRuntimeVersion: "containerd://2.1.4". */
  containerRuntime?: string | undefined;
}

export interface ObservedPod {
  namespace: string;
  name: string;
  node?: string | undefined;
  labels: Record<string, string>;
  /** The kind of its controller (ReplicaSet, StatefulSet, DaemonSet, Job, ...); undefined for a naked pod. */
  controller?: string | undefined;
  phase: string;
  mirror: boolean;
  /** Names of its emptyDir volumes: their data goes with the pod. */
  localVolumes: string[];
  /** Names of its gitRepo volumes (a plugin Kubernetes removes: removals.ts). */
  gitRepoVolumes?: string[] | undefined;
  createdAt: number;
  /**
   * Why a container of it does not run, when the kubelet says it keeps failing: a waiting reason
   * such as CrashLoopBackOff or ImagePullBackOff (workload-health.ts lists them).
   */
  failing?: string | undefined;
}

/** A Deployment, StatefulSet or DaemonSet, and how many of its pods are ready (the health gate's view). */
export interface ObservedWorkload {
  kind: "Deployment" | "StatefulSet" | "DaemonSet";
  namespace: string;
  name: string;
  /** The pods it wants: spec.replicas, or a DaemonSet's status.desiredNumberScheduled. */
  desired: number;
  /** Its ready pods: status.readyReplicas, or a DaemonSet's status.numberReady. */
  ready: number;
  selector: LabelSelector;
}

/** The workloads and their pods, as the health gate reads them before and after a step. */
export interface ObservedWorkloads {
  workloads: ObservedWorkload[];
  pods: ObservedPod[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string> | undefined;
  matchExpressions?: { key: string; operator: string; values?: string[] | undefined }[] | undefined;
}

export interface ObservedBudget {
  namespace: string;
  name: string;
  selector: LabelSelector;
  minAvailable?: string | number | undefined;
  maxUnavailable?: string | number | undefined;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
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
  /**
   * "<amiType>@<minor>@<release>" -> whether AWS publishes that pinned release (its per-release
   * SSM parameter exists). Windows pins are not here: AWS publishes no per-release parameter.
   */
  publishedReleases: Record<string, boolean>;
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
