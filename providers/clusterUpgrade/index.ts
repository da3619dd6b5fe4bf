export type {
  AddonArgs,
  ClusterUpgradeArgs,
  NodeGroupArgs,
  RunningVersions,
  StepTiming,
  PromotionArgs,
} from "./args";
export { clusterUpgradeProvider } from "./provider";
export { ClusterUpgrade } from "./resource";
