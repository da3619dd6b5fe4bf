export type { AddonArgs, ClusterUpgradeArgs, NodeGroupArgs, RunningVersions, StepTiming } from "./args";
export { clusterUpgradeProvider } from "./provider";
export { ClusterUpgrade } from "./resource";
