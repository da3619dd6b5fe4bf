import type * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import type { ClusterUpgrade } from "../providers/clusterUpgrade";
import { clusterAutoscalerObjects } from "./cluster-autoscaler";
import type { StackConfig } from "./config";

/**
 * cluster-autoscaler, applied after ClusterUpgrade: its objects come from the control-plane
 * version ClusterUpgrade reached, so its image moves only after the control plane has.
 */
export function clusterAutoscaler(
  config: StackConfig,
  region: string,
  cluster: eks.Cluster,
  upgrade: ClusterUpgrade,
): k8s.yaml.v2.ConfigGroup | undefined {
  const settings = config.controllers.clusterAutoscaler;
  if (!settings.enabled) return undefined;
  const provider = new k8s.Provider(`${config.clusterName}-k8s`, { kubeconfig: cluster.kubeconfigJson });
  const objs = upgrade.versions.apply((v) =>
    clusterAutoscalerObjects({
      clusterName: config.clusterName,
      region,
      controlPlane: v.controlPlane,
      ...(settings.roleArn ? { roleArn: settings.roleArn } : {}),
    }),
  );
  return new k8s.yaml.v2.ConfigGroup(
    `${config.clusterName}-cluster-autoscaler`,
    { objs },
    { provider, dependsOn: [upgrade] },
  );
}
