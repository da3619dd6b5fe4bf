import type { DesiredSpecInput } from "@eks-upgrade/engine";
import { NODE_GROUP_UPGRADE_KEYS, type StackConfig } from "./config";

/** Plain data: the program passes it to ClusterUpgrade, the CLI's --stack to the engine. */
export type UpgradeArgs = Omit<DesiredSpecInput, "clusterName" | "region" | "clusterVersion"> & {
  clusterVersion: string;
  timeScale?: number;
};

/**
 * The ClusterUpgrade inputs a stack config asks for (without the cluster name, region and
 * promotion gate, which come from resources): the same keys, with each node group's entry cut to
 * its upgrade settings. No name changes between the stack file and the engine.
 */
export function upgradeArgs(config: StackConfig): UpgradeArgs {
  const nodeGroups = Object.fromEntries(
    Object.entries(config.nodeGroups).map(([name, n]) => [
      name,
      Object.fromEntries(NODE_GROUP_UPGRADE_KEYS.filter((k) => n[k] !== undefined).map((k) => [k, n[k]])),
    ]),
  );
  return {
    clusterVersion: config.clusterVersion,
    addons: config.addons,
    nodeGroups,
    upgrade: config.upgrade,
    ...(config.endpoints ? { endpoints: config.endpoints } : {}),
    ...(config.timeScale !== undefined ? { timeScale: config.timeScale } : {}),
  };
}
