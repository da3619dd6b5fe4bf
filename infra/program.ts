import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { ClusterUpgrade } from "../providers/clusterUpgrade";
import { type ManagedCluster, managedCluster } from "./cluster";
import { NAMESPACE, type StackConfig } from "./config";
import { clusterAutoscaler } from "./controllers";
import { promotionGate } from "./promotion";
import { upgradeArgs } from "./upgrade-args";

export interface Stack {
  upgrade: ClusterUpgrade;
  /** What ClusterUpgrade waits for: the cluster, every node group and add-on (managed mode). */
  upgradeDependsOn: pulumi.Resource[];
  managed?: ManagedCluster;
  autoscaler?: k8s.yaml.v2.ConfigGroup;
}

/**
 * One environment's stack. Managed mode declares the cluster, node groups and add-ons, then
 * ClusterUpgrade after all of them, then the controllers that follow the control plane. Existing
 * mode manages only the upgrade of a cluster made elsewhere (and the `local` stack's emulator).
 */
export function buildStack(config: StackConfig, region: string): Stack {
  const promotion = promotionGate(config);
  const common = {
    ...upgradeArgs(config),
    region,
    configNamespace: NAMESPACE,
    ...(promotion ? { promotion } : {}),
  };
  if (config.mode === "existing") {
    const upgrade = new ClusterUpgrade(`${config.clusterName}-upgrade`, {
      ...common,
      clusterName: config.clusterName,
    });
    return { upgrade, upgradeDependsOn: [] };
  }
  const managed = managedCluster(config);
  const upgradeDependsOn = [managed.cluster, ...managed.nodeGroups, ...managed.addons];
  const upgrade = new ClusterUpgrade(
    `${config.clusterName}-upgrade`,
    { ...common, clusterName: managed.cluster.eksCluster.name },
    { dependsOn: upgradeDependsOn },
  );
  const autoscaler = clusterAutoscaler(config, region, managed.cluster, upgrade);
  return { upgrade, upgradeDependsOn, managed, ...(autoscaler ? { autoscaler } : {}) };
}

/** The stack outputs: what people read, and what a downstream stack's promotion gate reads. */
export function stackOutputs(stack: Stack) {
  const versions = stack.upgrade.versions;
  return {
    clusterName: stack.upgrade.clusterName,
    controlPlaneVersion: versions.apply((v) => v.controlPlane),
    addonVersions: versions.apply((v) => v.addons),
    nodeGroupReleases: versions.apply((v) =>
      Object.fromEntries(Object.entries(v.nodeGroups).map(([name, n]) => [name, n.releaseVersion])),
    ),
    // One line: a list of plan lines would show item by item in every `pulumi up` summary.
    lastRun: stack.upgrade.lastRun,
    upgradedAt: stack.upgrade.upgradedAt,
  };
}
