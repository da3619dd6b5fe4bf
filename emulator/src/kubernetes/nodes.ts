import { createHash } from "node:crypto";
import type * as K8s from "@kubernetes/client-node";
import type { AmiType } from "../ami-types";
import { amiId } from "../catalog";

/**
 * The Node objects of a managed node group, as EKS's nodes register themselves: named after their
 * private IP, labelled with the node group, its capacity type and image, reporting the kubelet
 * of the node group's release. kwok then keeps them Ready (it leaves nodeInfo as given).
 */
export const NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup";
export const IMAGE_LABEL = "eks.amazonaws.com/nodegroup-image";
/** The taint EKS puts on old nodes when an update starts, so nothing new lands on them. */
export const UNSCHEDULABLE_TAINT = { key: NODEGROUP_LABEL, value: "unschedulable", effect: "NoSchedule" };

export interface NodeSource {
  region: string;
  nodegroup: string;
  amiType: AmiType;
  /** Kubernetes minor of the node group, e.g. "1.35". */
  version: string;
  releaseVersion: string;
  capacityType: string;
  instanceTypes: string[];
  labels: Record<string, string>;
  /** The patch the catalog knows for the minor ("1.35.4"), when the release does not say it. */
  latestPatch: string;
  /** What the nodes report in status.nodeInfo, when the seed says (a custom AMI's image). */
  nodeInfo?: { osImage?: string | undefined; containerRuntimeVersion?: string | undefined } | undefined;
}

/**
 * What an AMI family's nodes report as their OS and container runtime: Amazon Linux 2's images run
 * containerd 1.7, Amazon Linux 2023's and Bottlerocket's containerd 2.
 */
function imageInfo(amiType: AmiType): { osImage: string; containerRuntimeVersion: string } {
  if (amiType.startsWith("WINDOWS"))
    return { osImage: "Windows Server 2022 Datacenter", containerRuntimeVersion: "containerd://1.7.27" };
  if (amiType.startsWith("AL2_"))
    return { osImage: "Amazon Linux 2", containerRuntimeVersion: "containerd://1.7.27" };
  if (amiType.startsWith("BOTTLEROCKET"))
    return {
      osImage: "Bottlerocket OS 1.51.0 (aws-k8s)",
      containerRuntimeVersion: "containerd://2.1.4+bottlerocket",
    };
  return { osImage: "Amazon Linux 2023", containerRuntimeVersion: "containerd://2.1.4" };
}

/** A Node as a kubelet registers it; `metadata.name` and the labels are always set. */
export type NodeObject = K8s.V1Node & { metadata: { name: string; labels: Record<string, string> } };

/** The kubelet a release runs: AL2 and AL2023 releases begin with the patch ("1.35.4-20261110"). */
export function kubeletVersion(src: Pick<NodeSource, "version" | "releaseVersion" | "latestPatch">): string {
  const patch = /^(\d+\.\d+\.\d+)-/.exec(src.releaseVersion)?.[1];
  const full = patch?.startsWith(`${src.version}.`) ? patch : src.latestPatch;
  const build = createHash("sha256").update(src.releaseVersion).digest("hex").slice(0, 7);
  return `v${full}-eks-${build}`;
}

/** The AMI a node of this release runs (its eks.amazonaws.com/nodegroup-image label). */
export function nodeImage(src: Pick<NodeSource, "amiType" | "version" | "releaseVersion">): string {
  return amiId(src.amiType, src.version, src.releaseVersion);
}

/** The private DNS name of the n-th node the emulator launched in a cluster. */
export function nodeName(region: string, n: number): string {
  const domain = region === "us-east-1" ? "ec2.internal" : `${region}.compute.internal`;
  return `ip-10-0-${Math.floor(n / 200) + 1}-${(n % 200) + 10}.${domain}`;
}

export function nodeObject(src: NodeSource, n: number): NodeObject {
  return kubeletNode({
    name: nodeName(src.region, n),
    region: src.region,
    n,
    arch: src.amiType.includes("ARM") ? "arm64" : "amd64",
    os: src.amiType.startsWith("WINDOWS") ? "windows" : "linux",
    kubelet: kubeletVersion(src),
    info: { ...imageInfo(src.amiType), ...definedOnly(src.nodeInfo ?? {}) },
    labels: {
      ...src.labels,
      [NODEGROUP_LABEL]: src.nodegroup,
      [IMAGE_LABEL]: nodeImage(src),
      "eks.amazonaws.com/capacityType": src.capacityType,
      "eks.amazonaws.com/sourceLaunchTemplateVersion": "1",
      "node.kubernetes.io/instance-type": src.instanceTypes[0] ?? "m6i.xlarge",
    },
  });
}

/** A Node as a kubelet registers it: its own labels, plus the ones every node carries. */
function kubeletNode(node: {
  name: string;
  region: string;
  /** The n-th node launched: its zone. */
  n: number;
  arch: string;
  os: string;
  kubelet: string;
  info: { osImage: string; containerRuntimeVersion: string };
  labels: Record<string, string>;
}): NodeObject {
  const { name, region, arch, os } = node;
  const resources = { cpu: "4", memory: "16Gi", pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        ...node.labels,
        "kubernetes.io/arch": arch,
        "kubernetes.io/os": os,
        "kubernetes.io/hostname": name,
        "topology.kubernetes.io/region": region,
        "topology.kubernetes.io/zone": `${region}${"abc"[node.n % 3]}`,
      },
    },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      nodeInfo: {
        kubeletVersion: node.kubelet,
        kubeProxyVersion: "",
        architecture: arch,
        operatingSystem: os,
        osImage: node.info.osImage,
        containerRuntimeVersion: node.info.containerRuntimeVersion,
        kernelVersion: "6.12.40-63.114.amzn2023.x86_64",
        machineID: "",
        systemUUID: "",
        bootID: "",
      },
    },
  };
}

/** Nodes outside managed node groups, as a seed lists them (seed.ts `clusters[].nodes`). */
export interface PoolNodeSource {
  region: string;
  pool: "karpenter" | "autoMode" | "fargate" | "selfManaged";
  name: string;
  /** The kubelet's version, e.g. "1.32.9". */
  patch: string;
}

/**
 * A node of a Karpenter NodePool, an Auto Mode node pool, a Fargate profile or a self-managed
 * group, with the labels they really carry (karpenter.sh/nodepool; eks.amazonaws.com/compute-type
 * auto or fargate and the Fargate profile; eksctl's alpha.eksctl.io/nodegroup-name).
 */
export function poolNodeObject(src: PoolNodeSource, n: number): NodeObject {
  const labels: Record<PoolNodeSource["pool"], Record<string, string>> = {
    karpenter: { "karpenter.sh/nodepool": src.name, "karpenter.sh/capacity-type": "on-demand" },
    autoMode: { "eks.amazonaws.com/compute-type": "auto", "karpenter.sh/nodepool": src.name },
    fargate: { "eks.amazonaws.com/compute-type": "fargate", "eks.amazonaws.com/fargate-profile": src.name },
    selfManaged: { "alpha.eksctl.io/nodegroup-name": src.name },
  };
  // Fargate names its nodes after the pod's IP with a fargate- prefix.
  const ip = nodeName(src.region, n);
  const build = createHash("sha256").update(`${src.pool}/${src.name}/${src.patch}`).digest("hex").slice(0, 7);
  return kubeletNode({
    name: src.pool === "fargate" ? `fargate-${ip}` : ip,
    region: src.region,
    n,
    arch: "amd64",
    os: "linux",
    kubelet: `v${src.patch}-eks-${build}`,
    info: imageInfo("AL2023_x86_64_STANDARD"),
    labels: labels[src.pool],
  });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
