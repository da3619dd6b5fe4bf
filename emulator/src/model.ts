import type { AmiType } from "./ami-types";
import { epochSeconds } from "./clock";

/** The emulator's records, and how each is rendered in the EKS API's shape (timestamps in epoch seconds). */

export interface HealthIssue {
  code: string;
  message: string;
  resourceIds?: string[] | undefined;
}

export type UpdateStatus = "InProgress" | "Failed" | "Cancelled" | "Successful";

export interface UpdateParam {
  type: string;
  value: string;
}

export interface UpdateError {
  errorCode: string;
  errorMessage: string;
  resourceIds: string[];
}

/** What an update changes when it succeeds. */
export type UpdateEffect =
  | { kind: "clusterVersion"; version: string; platformVersion: string; rollback: boolean }
  | {
      kind: "nodegroupVersion";
      version: string;
      releaseVersion: string;
      launchTemplateVersion?: string | undefined;
    }
  | {
      kind: "nodegroupConfig";
      scaling?: Partial<Scaling> | undefined;
      updateConfig?: UpdateConfig | undefined;
      labels?: { addOrUpdate?: Record<string, string>; remove?: string[] } | undefined;
    }
  | { kind: "addon"; version?: string | undefined; configurationValues?: string | undefined };

export interface UpdateRecord {
  id: string;
  cluster: string;
  nodegroup?: string | undefined;
  addon?: string | undefined;
  type: string;
  params: UpdateParam[];
  createdAt: number;
  status: UpdateStatus;
  errors: UpdateError[];
  /** When the target shows the new state (a control plane shows ACTIVE a little before Successful). */
  visibleAt: number;
  completesAt: number;
  effect: UpdateEffect;
  applied: boolean;
  failure?: UpdateError | undefined;
  force: boolean;
  clientRequestToken?: string | undefined;
  /** "api" for calls through the EKS API, "external" for updates started through the admin API or a fault. */
  origin: "api" | "external";
}

export interface Scaling {
  minSize: number;
  maxSize: number;
  desiredSize: number;
}

export interface UpdateConfig {
  maxUnavailable?: number | undefined;
  maxUnavailablePercentage?: number | undefined;
  updateStrategy?: "DEFAULT" | "MINIMAL" | undefined;
}

export interface LaunchTemplateRecord {
  name?: string | undefined;
  id?: string | undefined;
  version: string;
  versions?: Record<string, { kubernetesVersion: string; imageId?: string | undefined }> | undefined;
}

export interface NodegroupRecord {
  name: string;
  /** The id EKS appends to the node group's ARN. */
  uid: string;
  arn: string;
  createdAt: number;
  modifiedAt: number;
  version: string;
  releaseVersion: string;
  amiType: AmiType;
  status: string;
  healthIssues: HealthIssue[];
  capacityType: string;
  instanceTypes: string[];
  labels: Record<string, string>;
  scaling: Scaling;
  updateConfig: UpdateConfig;
  launchTemplate?: LaunchTemplateRecord | undefined;
}

export interface AddonRecord {
  name: string;
  arn: string;
  version: string;
  status: string;
  healthIssues: HealthIssue[];
  createdAt: number;
  modifiedAt: number;
  configurationValues?: string | undefined;
}

export interface InsightRecord {
  id: string;
  name: string;
  category: string;
  kubernetesVersion: string;
  status: string;
  reason: string;
  description: string;
  recommendation: string;
  resources: {
    kubernetesResourceUri?: string | undefined;
    arn?: string | undefined;
    status?: string | undefined;
  }[];
  lastRefreshTime: number;
  lastTransitionTime: number;
  /** What the next refresh finds (a stale finding that has cleared, say); unchanged when absent. */
  afterRefresh?: { status: string; reason: string } | undefined;
}

export interface ClusterRecord {
  name: string;
  arn: string;
  endpointId: string;
  createdAt: number;
  version: string;
  platformVersion: string;
  status: string;
  supportType: string;
  /** EKS Auto Mode: DescribeCluster's computeConfig, storageConfig and elastic load balancing enabled. */
  autoMode: boolean;
  healthIssues: HealthIssue[];
  tags: Record<string, string>;
  /** The last StartInsightsRefresh: it ends at `endsAt`, when every insight counts as evaluated then. */
  insightsRefresh?: { startedAt: number; endsAt: number } | undefined;
  /** The minor the cluster left at its last upgrade, and when: EKS allows a rollback to it for 7 days. */
  lastUpgrade?: { from: string; at: number } | undefined;
  /** The API server behind the cluster when the seed asks for Kubernetes (its serving certificate is the CA). */
  kubernetes?: { endpoint: string; caPem: string } | undefined;
  nodegroups: Map<string, NodegroupRecord>;
  addons: Map<string, AddonRecord>;
  insights: InsightRecord[];
  updates: UpdateRecord[];
}

export function renderCluster(c: ClusterRecord, region: string, accountId: string) {
  return {
    name: c.name,
    arn: c.arn,
    createdAt: epochSeconds(c.createdAt),
    version: c.version,
    endpoint: c.kubernetes?.endpoint ?? `https://${c.endpointId}.gr7.${region}.eks.amazonaws.com`,
    ...(c.kubernetes
      ? { certificateAuthority: { data: Buffer.from(c.kubernetes.caPem).toString("base64") } }
      : {}),
    roleArn: `arn:aws:iam::${accountId}:role/${c.name}-cluster-role`,
    resourcesVpcConfig: {
      subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
      securityGroupIds: [],
      clusterSecurityGroupId: "sg-0a1b2c3d4e5f60001",
      vpcId: "vpc-0a1b2c3d4e5f60001",
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ["0.0.0.0/0"],
    },
    kubernetesNetworkConfig: { serviceIpv4Cidr: "10.100.0.0/16", ipFamily: "ipv4" },
    status: c.status,
    platformVersion: c.platformVersion,
    tags: c.tags,
    health: { issues: c.healthIssues },
    accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" },
    upgradePolicy: { supportType: c.supportType },
    ...(c.autoMode
      ? {
          computeConfig: {
            enabled: true,
            nodePools: ["general-purpose", "system"],
            nodeRoleArn: `arn:aws:iam::${accountId}:role/${c.name}-auto-mode-node-role`,
          },
          storageConfig: { blockStorage: { enabled: true } },
          kubernetesNetworkConfig: {
            serviceIpv4Cidr: "10.100.0.0/16",
            ipFamily: "ipv4",
            elasticLoadBalancing: { enabled: true },
          },
        }
      : {}),
  };
}

export function renderNodegroup(n: NodegroupRecord, clusterName: string, accountId: string) {
  const updateConfig: Record<string, unknown> = {};
  if (n.updateConfig.maxUnavailablePercentage !== undefined) {
    updateConfig.maxUnavailablePercentage = n.updateConfig.maxUnavailablePercentage;
  } else {
    updateConfig.maxUnavailable = n.updateConfig.maxUnavailable ?? 1;
  }
  if (n.updateConfig.updateStrategy) updateConfig.updateStrategy = n.updateConfig.updateStrategy;
  return {
    nodegroupName: n.name,
    nodegroupArn: n.arn,
    clusterName,
    version: n.version,
    releaseVersion: n.releaseVersion,
    createdAt: epochSeconds(n.createdAt),
    modifiedAt: epochSeconds(n.modifiedAt),
    status: n.status,
    capacityType: n.capacityType,
    scalingConfig: { ...n.scaling },
    instanceTypes: n.instanceTypes,
    subnets: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
    amiType: n.amiType,
    nodeRole: `arn:aws:iam::${accountId}:role/${clusterName}-node-role`,
    labels: n.labels,
    resources: { autoScalingGroups: [{ name: `eks-${n.name}-${n.uid}` }] },
    ...(n.launchTemplate ? {} : { diskSize: 20 }),
    health: { issues: n.healthIssues },
    updateConfig,
    ...(n.launchTemplate
      ? {
          launchTemplate: {
            ...(n.launchTemplate.name ? { name: n.launchTemplate.name } : {}),
            version: n.launchTemplate.version,
            id: n.launchTemplate.id,
          },
        }
      : {}),
    tags: {},
  };
}

export function renderAddon(a: AddonRecord, clusterName: string) {
  return {
    addonName: a.name,
    clusterName,
    status: a.status,
    addonVersion: a.version,
    health: { issues: a.healthIssues },
    addonArn: a.arn,
    createdAt: epochSeconds(a.createdAt),
    modifiedAt: epochSeconds(a.modifiedAt),
    tags: {},
    ...(a.configurationValues !== undefined ? { configurationValues: a.configurationValues } : {}),
  };
}

export function renderUpdate(u: UpdateRecord) {
  return {
    id: u.id,
    status: u.status,
    type: u.type,
    params: u.params,
    createdAt: epochSeconds(u.createdAt),
    errors: u.errors,
  };
}

export function renderInsightSummary(i: InsightRecord) {
  return {
    id: i.id,
    name: i.name,
    category: i.category,
    kubernetesVersion: i.kubernetesVersion,
    lastRefreshTime: epochSeconds(i.lastRefreshTime),
    lastTransitionTime: epochSeconds(i.lastTransitionTime),
    description: i.description,
    insightStatus: { status: i.status, reason: i.reason },
  };
}

export function renderInsight(i: InsightRecord) {
  return {
    ...renderInsightSummary(i),
    recommendation: i.recommendation,
    additionalInfo: {},
    resources: i.resources.map((r) => ({
      insightStatus: { status: r.status ?? i.status, reason: i.reason },
      ...(r.kubernetesResourceUri ? { kubernetesResourceUri: r.kubernetesResourceUri } : {}),
      ...(r.arn ? { arn: r.arn } : {}),
    })),
    categorySpecificSummary: { deprecationDetails: [], addonCompatibilityDetails: [] },
  };
}
