/**
 * What a Kubernetes minor takes away that the cluster may still use, as data with its source. Each
 * entry is checked against the API server for the node groups a plan moves to that minor or past
 * it (drain-checks.ts): the pods on their nodes are recreated on the new kubelet, and a custom
 * AMI's next image is built like the one its nodes run now.
 */
export interface Removal {
  /** The first minor without it. */
  minor: string;
  /** Which check reads the cluster for it. */
  check: "REMOVED_GITREPO_VOLUME" | "REMOVED_CGROUP_V1" | "REMOVED_CONTAINERD_1";
  what: string;
  source: string;
}

export const REMOVALS: readonly Removal[] = [
  {
    // KEP-5040: disabled by default in 1.33 (the GitRepoVolumeDriver gate could turn it back
    // on), the gate locked off from 1.36.
    minor: "1.36",
    check: "REMOVED_GITREPO_VOLUME",
    what: "the in-tree gitRepo volume plugin (disabled by default since 1.33, locked off in 1.36)",
    source: "https://github.com/kubernetes/enhancements/issues/5040",
  },
  {
    // KEP-5573; EKS: AL2023 runs cgroup v2, Bottlerocket 1.35 sets failCgroupV1: false, Fargate
    // stays on v1 (EKS's own concern).
    minor: "1.35",
    check: "REMOVED_CGROUP_V1",
    what: "a kubelet on cgroup v1 (it refuses to start unless failCgroupV1: false is set)",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html",
  },
  {
    minor: "1.36",
    check: "REMOVED_CONTAINERD_1",
    what: "containerd 1.x (1.35 is the last minor that supports it: containerd 2.0 or later is needed)",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html",
  },
];

/**
 * OS images that run cgroup v1 by default (as a node reports them in status.nodeInfo.osImage): the
 * releases before those the Kubernetes documentation lists with cgroup v2 (Ubuntu 21.10, Debian
 * 11, RHEL 9; https://kubernetes.io/docs/concepts/architecture/cgroups/#linux-distribution-cgroup-v2-support)
 * and Amazon Linux 2 (AL2023 moved to v2: https://docs.aws.amazon.com/linux/al2023/ug/compare-with-al2.html).
 */
export const CGROUP_V1_IMAGES: readonly RegExp[] = [
  /^Amazon Linux 2$/,
  /^Ubuntu (1\d|20|21\.04)\b/,
  /^Debian GNU\/Linux (\d|10) /,
  /^(Red Hat Enterprise Linux|CentOS Linux|Rocky Linux|AlmaLinux) [78]\b/,
];
