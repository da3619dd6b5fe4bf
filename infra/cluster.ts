import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import type * as pulumi from "@pulumi/pulumi";
import type { NodeGroupConfig, StackConfig } from "./config";
import { ignoreVersionChanges } from "./transforms";

export interface ManagedCluster {
  cluster: eks.Cluster;
  nodeRole: aws.iam.Role;
  nodeGroups: aws.eks.NodeGroup[];
  addons: aws.eks.Addon[];
}

const NODE_POLICIES = [
  "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
  "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
  "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
];

/**
 * Managed mode: the cluster, its managed node groups and its EKS add-ons, created at the config's
 * versions. After creation the versions belong to ClusterUpgrade: every resource here carries the
 * ignoreChanges transform, and @pulumi/eks's own coredns/kube-proxy management is disabled (it would
 * move them to the newest version by itself) in favour of the aws.eks.Addon resources below.
 */
export function managedCluster(config: StackConfig): ManagedCluster {
  const transforms = [ignoreVersionChanges];
  const nodeRole = new aws.iam.Role(`${config.clusterName}-nodes`, {
    assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ec2.amazonaws.com" }),
    tags: config.tags,
  });
  const attachments = NODE_POLICIES.map(
    (policyArn, i) =>
      new aws.iam.RolePolicyAttachment(`${config.clusterName}-nodes-${i}`, {
        role: nodeRole.name,
        policyArn,
      }),
  );
  const cluster = new eks.Cluster(
    config.clusterName,
    {
      name: config.clusterName,
      version: config.clusterVersion,
      skipDefaultNodeGroup: true,
      instanceRoles: [nodeRole],
      ...(config.vpc ? { vpcId: config.vpc.vpcId, subnetIds: config.vpc.subnetIds } : {}),
      corednsAddonOptions: { enabled: false },
      kubeProxyAddonOptions: { enabled: false },
      useDefaultVpcCni: true,
      tags: config.tags,
    },
    { transforms },
  );
  const subnetIds = cluster.core.apply((c) => c.subnetIds);
  const nodeGroups = Object.entries(config.nodeGroups).map(([name, n]) =>
    nodeGroup(config, name, n, cluster, nodeRole, subnetIds, attachments),
  );
  const addons = Object.entries(config.addons).map(([addonName, spec]) => {
    const policy = typeof spec === "string" ? { version: spec } : spec;
    return new aws.eks.Addon(
      `${config.clusterName}-${addonName}`,
      {
        clusterName: cluster.eksCluster.name,
        addonName,
        // "default": EKS picks its default at creation. "latest": the newest for the minor.
        ...(policy.version === "latest"
          ? {
              addonVersion: aws.eks
                .getAddonVersionOutput({
                  addonName,
                  kubernetesVersion: config.clusterVersion,
                  mostRecent: true,
                })
                .apply((v) => v.version),
            }
          : // "current" at creation: nothing runs yet, so EKS's default, as for "default".
            policy.version !== "default" && policy.version !== "current"
            ? { addonVersion: policy.version }
            : {}),
        // Adopt the self-managed add-ons EKS installs at cluster creation.
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate:
          "resolveConflicts" in policy && policy.resolveConflicts ? policy.resolveConflicts : "OVERWRITE",
        tags: config.tags,
      },
      // Add-ons like coredns need nodes to schedule on.
      { transforms, dependsOn: [cluster, ...nodeGroups] },
    );
  });
  return { cluster, nodeRole, nodeGroups, addons };
}

function nodeGroup(
  config: StackConfig,
  name: string,
  n: NodeGroupConfig,
  cluster: eks.Cluster,
  nodeRole: aws.iam.Role,
  subnetIds: pulumi.Output<string[]>,
  attachments: aws.iam.RolePolicyAttachment[],
): aws.eks.NodeGroup {
  return new aws.eks.NodeGroup(
    `${config.clusterName}-${name}`,
    {
      clusterName: cluster.eksCluster.name,
      nodeGroupName: name,
      nodeRoleArn: nodeRole.arn,
      subnetIds,
      amiType: n.amiType,
      version: config.clusterVersion,
      // "latest" (and "current": nothing runs yet): EKS takes the newest release at creation.
      ...(n.amiReleaseVersion !== "latest" && n.amiReleaseVersion !== "current"
        ? { releaseVersion: n.amiReleaseVersion }
        : {}),
      instanceTypes: n.instanceTypes,
      capacityType: n.capacityType,
      scalingConfig: { minSize: n.scaling.min, maxSize: n.scaling.max, desiredSize: n.scaling.desired },
      updateConfig: {
        ...(n.maxUnavailablePercentage !== undefined
          ? { maxUnavailablePercentage: n.maxUnavailablePercentage }
          : { maxUnavailable: n.maxUnavailable ?? 1 }),
        // @pulumi/eks cannot set it (pulumi-eks #1147); aws.eks.NodeGroup can.
        ...(n.updateStrategy ? { updateStrategy: n.updateStrategy } : {}),
      },
      labels: n.labels,
      taints: n.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
      tags: {
        ...config.tags,
        // cluster-autoscaler's auto-discovery.
        "k8s.io/cluster-autoscaler/enabled": "true",
        [`k8s.io/cluster-autoscaler/${config.clusterName}`]: "owned",
      },
    },
    {
      transforms: [ignoreVersionChanges],
      dependsOn: [cluster, ...attachments],
      // The autoscaler owns the desired size once the group runs.
      ignoreChanges: ["scalingConfig.desiredSize"],
    },
  );
}
