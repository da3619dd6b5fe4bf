export type {
  AddonArgs,
  ClusterUpgradeArgs,
  NodeGroupArgs,
  RunningVersions,
  StepTiming,
  UpgradePolicyArgs,
  PromotionArgs,
} from "./args";
export { clusterUpgradeProvider } from "./provider";
export { ClusterUpgrade } from "./resource";
