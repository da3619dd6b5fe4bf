import type { DesiredSpecInput } from "@eks-upgrade/engine";
import type { StackConfig } from "./config";

/** Plain data: the program passes it to ClusterUpgrade, the CLI's --stack to the engine. */
export type UpgradeArgs = Omit<DesiredSpecInput, "clusterName" | "region"> & { timeScale?: number };

/**
 * The ClusterUpgrade inputs a stack config asks for (without the cluster name, region and
 * promotion gate, which come from resources). Canary node groups go first, in config order.
 */
export function upgradeArgs(config: StackConfig): UpgradeArgs {
  const nodeGroups: NonNullable<DesiredSpecInput["nodeGroups"]> = {};
  for (const n of config.nodeGroups) {
    nodeGroups[n.name] = {
      releaseVersion: n.amiReleaseVersion,
      force: n.force,
      ...(n.launchTemplateVersion ? { launchTemplateVersion: n.launchTemplateVersion } : {}),
      ...(n.maxUnavailable !== undefined ? { maxUnavailable: n.maxUnavailable } : {}),
      ...(n.maxUnavailablePercentage !== undefined
        ? { maxUnavailablePercentage: n.maxUnavailablePercentage }
        : {}),
    };
  }
  return {
    kubernetesVersion: config.clusterVersion,
    addons: config.addons,
    nodeGroups,
    nodeGroupOrder: config.nodeGroups.filter((n) => n.canary).map((n) => n.name),
    nodeGroupConcurrency: config.upgrade.concurrency,
    insights: config.upgrade.insights,
    ...(config.upgrade.deadlines ? { deadlines: config.upgrade.deadlines } : {}),
    ...(config.endpoints ? { endpoints: config.endpoints } : {}),
    ...(config.timeScale !== undefined ? { timeScale: config.timeScale } : {}),
  };
}
