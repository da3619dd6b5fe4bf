/**
 * @eks-upgrade/engine: plan and run EKS upgrades — control plane one minor at a time, each
 * followed by its add-ons, then the node groups — and never a downgrade. The Pulumi provider and
 * the CLI are thin adapters over these functions.
 */
export { type AmiFamily, amiFamily } from "./ami";
export { CHECKS, type CheckDefinition, type Finding } from "./checks";
export { type ClientOptions, type Clients, createClients, destroyClients, runtimeNotice } from "./clients";
export { emulatorRegion, timeScaleOf } from "./emulator-clock";
export { describeCluster } from "./observe";
export {
  describeFinding,
  HealthGateError,
  PlanRefusedError,
  type StepFailure,
  UpgradeAbortedError,
  UpgradeError,
  UpgradeStoppedError,
} from "./errors";
export {
  type ExecuteOptions,
  type ExecutionResult,
  execute,
  type ProgressEvent,
  type StepOutcome,
} from "./execute";
export { estimatePlanMinutes, planDuration } from "./estimates";
export { type InsightsRefresh, refreshInsights } from "./insights";
export {
  type Inspection,
  inspect,
  inspectForApply,
  needsFreshInsights,
  observeKubernetes,
  refreshForApply,
} from "./inspect";
export { drainBlockers } from "./kubernetes/rollout-view";
export {
  describeUnhealthy,
  FAILING_REASONS,
  type UnhealthyWorkload,
  unhealthyWorkloads,
} from "./kubernetes/workload-health";
export { describePool, type UnmanagedPool, unmanagedPools } from "./node-pools";
export type {
  KubernetesVersionSupport,
  Observed,
  ObservedPod,
  ObservedWorkload,
  ObservedWorkloads,
  Plan,
  ResolvedCatalog,
  Step,
  StepKind,
  StepRequest,
} from "./model";
export { lastVersionChange, observe } from "./observe";
export { type CallContext, operationalFinding } from "./operational";
export {
  describePause,
  type Pause,
  PAUSE_TAGS,
  pauseCluster,
  pausedCluster,
  pauseOf,
  pauseReasonProblem,
  readPause,
  resumeCluster,
} from "./pause";
export { plan } from "./plan";
export { restrictPlan, selectorOf } from "./plan-selection";
export { formatStep, type PlanItem, planEstimate, planItem } from "./plan-text";
export { configKeyRenderer, key, type KeyRenderer, plainKey, renderKeys } from "./keys";
export { formatDuration, progressLines } from "./progress-lines";
export { checkPromotion, checkPromotions, type PromotionGate, type PromotionGates } from "./promotion";
export { compareReleases, parseRelease, type Release, releaseExample } from "./releases";
export { clusterVersions, resolve } from "./resolve";
export { type RunningVersions, runningVersions } from "./running-versions";
export {
  inspectRollback,
  parseRollbackSpec,
  planRollback,
  type RollbackInspection,
  type RollbackSpec,
} from "./rollback";
export { CLUSTER_HOUR_USD, describeSupport, extendedSupportExtraPerMonth } from "./support";
export { mapLimit } from "./concurrency";
export { DIFF_DISPLAY_WIDTH, wrapLine, wrapLines } from "./text";
export {
  type ClusterRef,
  type DesiredSpec,
  type DesiredSpecInput,
  DesiredSpecSchema,
  isLoopbackHost,
  parseClusterRef,
  parseSpec,
  SpecError,
  canaryOrder,
  SpecFields,
  type SpecIssue,
} from "./spec";
export { minorDistance } from "./versions";
