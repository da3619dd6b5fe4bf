import type * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterUpgrade } from "../providers/clusterUpgrade";
import type { StackConfig } from "./config";

/**
 * cluster-autoscaler's minor must match the control plane's. Its image tag comes from
 * ClusterUpgrade's reached control-plane version, so it moves only after the control plane has.
 */
export function autoscalerImageTag(controlPlane: string): string {
  return `v${controlPlane}.0`;
}

export function clusterAutoscaler(
  config: StackConfig,
  region: string,
  cluster: eks.Cluster,
  upgrade: ClusterUpgrade,
): k8s.helm.v4.Chart | undefined {
  const settings = config.controllers.clusterAutoscaler;
  if (!settings.enabled) return undefined;
  const provider = new k8s.Provider(`${config.clusterName}-k8s`, { kubeconfig: cluster.kubeconfigJson });
  const tag: pulumi.Output<string> = upgrade.versions.apply((v) => autoscalerImageTag(v.controlPlane));
  return new k8s.helm.v4.Chart(
    `${config.clusterName}-cluster-autoscaler`,
    {
      chart: "cluster-autoscaler",
      version: settings.chartVersion,
      repositoryOpts: { repo: "https://kubernetes.github.io/autoscaler" },
      namespace: "kube-system",
      values: {
        autoDiscovery: { clusterName: config.clusterName },
        awsRegion: region,
        image: { tag },
        rbac: {
          serviceAccount: {
            name: "cluster-autoscaler",
            ...(settings.roleArn ? { annotations: { "eks.amazonaws.com/role-arn": settings.roleArn } } : {}),
          },
        },
      },
    },
    { provider, dependsOn: [upgrade] },
  );
}
