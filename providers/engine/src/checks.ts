/**
 * Every refusal and warning the planner can produce, as data (like eksup's numbered checks): a
 * stable code, what it means and what to do. docs/checks.md lists them; a test keeps both in step.
 */
export interface CheckDefinition {
  /** The spec key a finding of this check names (`<name>`: the node group's or add-on's). */
  key: string;
  code: string;
  /** violation: the plan is refused; warning: shown with the plan; error: an AWS call failed (not the plan). */
  severity: "violation" | "warning" | "error";
  title: string;
  remedy: string;
  /** Where the rule comes from, when it is someone else's (upstream policy, EKS documentation). */
  source?: string;
}

export const CHECKS = {
  CONTROL_PLANE_DOWNGRADE: {
    key: "clusterVersion",
    code: "EKSUP001",
    severity: "violation",
    title: "The target Kubernetes version is lower than the control plane's",
    remedy:
      "Set {{clusterVersion}} to the running version or higher. EKS cannot go back (a rollback within 7 days is a separate, deliberate operation); to run an older version, create a new cluster and migrate.",
  },
  KUBERNETES_VERSION_NOT_OFFERED: {
    key: "clusterVersion",
    code: "EKSUP002",
    severity: "violation",
    title: "EKS does not offer this Kubernetes version",
    remedy: "Choose a version EKS lists (aws eks describe-cluster-versions).",
  },
  CLUSTER_NOT_ACTIVE: {
    key: "clusterName",
    code: "EKSUP003",
    severity: "violation",
    title: "The cluster is not ACTIVE",
    remedy: "Wait until the cluster is ACTIVE and its health issues are resolved, then run again.",
  },
  CLUSTER_PAUSED: {
    key: "clusterName",
    code: "EKSUP033",
    severity: "violation",
    title: "Upgrades of the cluster are paused (eks-upgrade pause)",
    remedy:
      "Nothing moves while the pause lasts, from any machine. When it is safe to go on: eks-upgrade resume (with the same --cluster or --stack), then run again; finished steps are not repeated.",
  },
  OUTSIDE_SELECTION: {
    key: "only",
    code: "EKSUP034",
    severity: "violation",
    title:
      "The plan needs a step the selection (--only) leaves out, or the selection names a target the cluster lacks",
    remedy:
      "Add the target to {{only}}, or aim lower: a control plane that moves makes every node group and add-on follow (kubelet skew, add-on compatibility), so keep --cluster-version at the running minor to change one node group or add-on alone.",
  },
  NODEGROUP_DEGRADED: {
    key: "nodeGroups.<name>",
    code: "EKSUP004",
    severity: "violation",
    title: "A node group is DEGRADED",
    remedy:
      "Fix the node group's health issues (capacity, subnets, IAM, launch template) before upgrading it.",
  },
  NODEGROUP_UNKNOWN: {
    key: "nodeGroups.<name>",
    code: "EKSUP005",
    severity: "violation",
    title: "The spec names a node group the cluster does not have",
    remedy: "Correct the name, or remove it from the spec.",
  },
  NODEGROUP_DOWNGRADE: {
    key: "nodeGroups.<name>.amiReleaseVersion",
    code: "EKSUP006",
    severity: "violation",
    title: "The requested node group release is older than the running one",
    remedy: 'Pin the running release or a newer one, or use "latest". Managed node groups cannot roll back.',
  },
  RELEASE_MISMATCH: {
    key: "nodeGroups.<name>.amiReleaseVersion",
    code: "EKSUP007",
    severity: "violation",
    title: "The pinned AMI release does not belong to the target minor or to the node group's AMI family",
    remedy: 'Pin a release of the node group\'s AMI family for the target Kubernetes minor, or use "latest".',
  },
  AMI_NOT_AVAILABLE: {
    key: "nodeGroups.<name>",
    code: "EKSUP008",
    severity: "violation",
    title: "The node group's AMI family has no AMI for the target Kubernetes version",
    remedy:
      "Move the node group to an AMI family that supports the target version (for Amazon Linux 2: AL2023 or Bottlerocket).",
  },
  CUSTOM_AMI_NEEDS_LAUNCH_TEMPLATE_VERSION: {
    key: "nodeGroups.<name>.launchTemplateVersion",
    code: "EKSUP009",
    severity: "violation",
    title: "A custom-AMI node group needs a new launch template version",
    remedy:
      "Create a launch template version whose AMI runs the target Kubernetes version and set {{nodeGroups.<name>.launchTemplateVersion}} to it.",
  },
  LAUNCH_TEMPLATE_DOWNGRADE: {
    key: "nodeGroups.<name>.launchTemplateVersion",
    code: "EKSUP010",
    severity: "violation",
    title: "The requested launch template version is older than the running one",
    remedy: "Give the running launch template version or a newer one.",
  },
  ADDON_UNKNOWN: {
    key: "addons.<name>",
    code: "EKSUP011",
    severity: "violation",
    title: "The spec names an add-on the cluster does not have",
    remedy: "Correct the name, or install the add-on first (this tool upgrades, it does not install).",
  },
  ADDON_VERSION_UNKNOWN: {
    key: "addons.<name>",
    code: "EKSUP012",
    severity: "violation",
    title: "The pinned add-on version is not offered for the target Kubernetes version",
    remedy:
      'Pin a version listed by aws eks describe-addon-versions for the target version, or use "default" or "latest".',
  },
  ADDON_DOWNGRADE: {
    key: "addons.<name>",
    code: "EKSUP013",
    severity: "violation",
    title: "The requested add-on version is older than the running one",
    remedy: 'Pin the running version or a newer one, or use "default" or "latest".',
  },
  ADDON_NO_UPGRADE_PATH: {
    key: "addons.<name>",
    code: "EKSUP014",
    severity: "violation",
    title:
      "No add-on version leads from the running one to the target without a downgrade or a forbidden jump",
    remedy:
      "Upgrade the add-on by hand one minor version at a time to one compatible with the target, or pin a reachable version.",
  },
  INSIGHT_BLOCKING: {
    key: "upgrade.insights",
    code: "EKSUP015",
    severity: "violation",
    title: "An upgrade-readiness insight reports ERROR for a Kubernetes version on the path",
    remedy:
      "Fix what the insight reports (aws eks describe-insight), or acknowledge it by name in {{upgrade.insights}} (or set {{upgrade.insights=warn}}) to upgrade anyway.",
  },
  NODEGROUP_NO_LAUNCH_TEMPLATE: {
    key: "nodeGroups.<name>.launchTemplateVersion",
    code: "EKSUP016",
    severity: "violation",
    title: "launchTemplateVersion is set for a node group that has no launch template",
    remedy: "Remove {{nodeGroups.<name>.launchTemplateVersion}} for this node group.",
  },
  ROLLBACK_NO_UPGRADE: {
    key: "clusterName",
    code: "EKSUP020",
    severity: "violation",
    title: "The cluster has no recent in-place upgrade to roll back",
    remedy:
      "EKS rolls back only an in-place upgrade of the last 7 days (not a cluster created at its version, nor a rollback). Fix forward, or create a cluster at the older version and migrate.",
  },
  ROLLBACK_WINDOW_PASSED: {
    key: "clusterName",
    code: "EKSUP021",
    severity: "violation",
    title: "The 7-day rollback window of the last upgrade has passed",
    remedy: "EKS no longer rolls this upgrade back: fix forward on the running minor.",
  },
  ROLLBACK_TARGET: {
    key: "rollback.to",
    code: "EKSUP022",
    severity: "violation",
    title: "A rollback goes only to the minor the last upgrade left",
    remedy: "Leave {{rollback.to}} out, or give the minor the message names.",
  },
  ROLLBACK_TARGET_SUPPORT: {
    key: "rollback.to",
    code: "EKSUP023",
    severity: "violation",
    title: "EKS does not support the rollback's target minor under the cluster's upgrade policy",
    remedy:
      "For a minor in extended support, set the cluster's upgrade policy to EXTENDED first; a minor past extended support cannot be rolled back to.",
  },
  ROLLBACK_READINESS_BLOCKING: {
    key: "rollback.acknowledge",
    code: "EKSUP024",
    severity: "violation",
    title: "A rollback-readiness insight reports ERROR or UNKNOWN",
    remedy:
      "Fix what the insight reports (aws eks describe-insight), or acknowledge it by name with {{rollback.acknowledge}} to roll back anyway (sent with force).",
  },
  ROLLBACK_BLOCKED: {
    key: "clusterName",
    code: "EKSUP025",
    severity: "violation",
    title: "A node group or add-on cannot be taken back to the rollback's minor automatically",
    remedy: "Take it back by hand as the message says, then run the rollback again.",
  },
  PROMOTION_GATE: {
    key: "clusterVersion",
    code: "EKSUP017",
    severity: "violation",
    title: "The upstream stack has not run this version long enough (or at all)",
    remedy:
      "Upgrade the upstream stack to this version first and let it soak for the configured hours, or lower the target here.",
  },
  RELEASE_NOT_PUBLISHED: {
    key: "nodeGroups.<name>.amiReleaseVersion",
    code: "EKSUP018",
    severity: "violation",
    title: "The pinned AMI release is not one AWS publishes for the minor and AMI type",
    remedy:
      'Pin a published release (the message names the newest), or use "latest". If it was published minutes ago, retry shortly: SSM can lag behind.',
  },
  RELEASE_UNRECOGNIZED: {
    key: "nodeGroups.<name>",
    code: "EKSUP031",
    severity: "violation",
    title: "A running or newest release does not read as a release of the node group's AMI family",
    remedy:
      "eks-upgrade never orders a release it cannot read as its family's (it could be a downgrade). Check the node group's AMI type and release (aws eks describe-nodegroup); if AWS has changed how the family writes releases, report it.",
  },
  RELEASE_UNVERIFIABLE: {
    key: "nodeGroups.<name>.amiReleaseVersion",
    code: "EKSUP032",
    severity: "violation",
    title: "A pinned Windows release cannot be checked before the run",
    remedy:
      'AWS publishes no per-release parameter for Windows AMIs, so only the newest release and the running one can be checked before anything changes: pin one of those, or use "latest".',
  },
  DRAIN_BUDGET_BLOCKS: {
    key: "nodeGroups.<name>.drainChecks",
    code: "EKSUP026",
    severity: "violation",
    title: "A PodDisruptionBudget allows no disruption of pods the node group's drain must evict",
    remedy:
      "Let the budget allow a disruption before the upgrade (scale the workload up, or relax the budget's minAvailable/maxUnavailable), or fix the unhealthy pods it counts. To go ahead anyway set {{nodeGroups.<name>.drainChecks=warn}} (the update fails with PodEvictionFailure if the budget still refuses), or {{nodeGroups.<name>.force}} to have EKS delete the pods.",
  },
  DRAIN_SINGLE_REPLICA: {
    key: "nodeGroups.<name>.drainChecks",
    code: "EKSUP027",
    severity: "violation",
    title: "A single-replica workload's PodDisruptionBudget keeps its only pod from ever being evicted",
    remedy:
      "Run at least two replicas (spread over nodes), or change the budget to maxUnavailable: 1 if an outage during the drain is acceptable. Otherwise {{nodeGroups.<name>.force}} lets EKS delete the pod.",
  },
  DRAIN_BUDGET_BELOW_BATCH: {
    key: "nodeGroups.<name>.drainChecks",
    code: "EKSUP028",
    severity: "violation",
    title:
      "MINIMAL update: the nodes drained at once hold more of a budget's pods than it allows to be disrupted, and their replacements have no node to go to",
    remedy:
      "Lower {{nodeGroups.<name>.maxUnavailable}}, spread the workload over more nodes (topologySpreadConstraints), let the budget allow more disruptions, or use {{nodeGroups.<name>.updateStrategy=DEFAULT}} (new nodes first); or acknowledge with {{nodeGroups.<name>.drainChecks=warn}}.",
  },
  DRAIN_NAKED_POD: {
    key: "nodeGroups.<name>.drainChecks",
    code: "EKSUP029",
    severity: "violation",
    title: "Pods without a controller would be lost when their node is drained",
    remedy:
      "Run them under a Deployment, StatefulSet or Job so that they come back elsewhere, or delete them; to let the drain take them, set {{nodeGroups.<name>.drainChecks=warn}}.",
  },
  DRAIN_LOCAL_STORAGE: {
    key: "nodeGroups.<name>.drainChecks",
    code: "EKSUP030",
    severity: "violation",
    title: "Pods keep data in emptyDir volumes that their eviction deletes",
    remedy:
      "Move the data to a persistent volume, or make sure it may be lost (caches, scratch space), then set {{nodeGroups.<name>.drainChecks=warn}}.",
  },
  DRAIN_WEBHOOK_BLOCKS: {
    key: "nodeGroups.<name>.drainChecks",
    code: "EKSUP037",
    severity: "violation",
    title:
      "An admission webhook with failurePolicy Fail has no ready endpoint: the pods a drain evicts cannot be created again",
    remedy:
      "Bring the webhook's service back (its endpoints Ready), or set failurePolicy: Ignore while the node groups roll, or delete the configuration of a tool that is gone; then run again. Or set {{nodeGroups.<name>.drainChecks=warn}} to roll anyway.",
    source:
      "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy",
  },
  REMOVED_GITREPO_VOLUME: {
    key: "nodeGroups.<name>.drainChecks",
    code: "EKSUP038",
    severity: "violation",
    title:
      "Pods mount gitRepo volumes, which the kubelet of the node group's target minor no longer supports: recreated on the new nodes, they cannot start",
    remedy:
      "Replace each gitRepo volume with an emptyDir volume filled by an init container that runs git clone (the upstream migration), then run again; or set {{nodeGroups.<name>.drainChecks=warn}} to roll anyway.",
    source: "https://github.com/kubernetes/enhancements/issues/5040",
  },
  REMOVED_CGROUP_V1: {
    key: "nodeGroups.<name>.drainChecks",
    code: "EKSUP039",
    severity: "violation",
    title:
      "A custom AMI's nodes run cgroup v1, on which the kubelet of 1.35 and later refuses to start by default",
    remedy:
      "Build the AMI of the new launch template version on cgroup v2 (Amazon Linux 2023, Bottlerocket, Ubuntu 22.04 or later), or set failCgroupV1: false in its kubelet configuration; once it is, set {{nodeGroups.<name>.drainChecks=warn}} and run again.",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html",
  },
  REMOVED_CONTAINERD_1: {
    key: "nodeGroups.<name>.drainChecks",
    code: "EKSUP040",
    severity: "violation",
    title:
      "A custom AMI's nodes run containerd 1.x, which the kubelet of 1.36 and later no longer supports (1.35 is the last minor that does)",
    remedy:
      "Build the AMI of the new launch template version with containerd 2.0 or later (EKS's Amazon Linux 2023 and Bottlerocket AMIs have it); once it is, set {{nodeGroups.<name>.drainChecks=warn}} and run again.",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html",
  },
  ROLLBACK_READINESS_ACCEPTED: {
    key: "rollback.acknowledge",
    code: "EKSUP112",
    severity: "warning",
    title: "A rollback-readiness insight reports ERROR or UNKNOWN but was acknowledged",
    remedy: "The rollback is sent with force; check the insight's resources afterwards.",
  },
  INSIGHT_UNKNOWN: {
    key: "upgrade.insights",
    code: "EKSUP035",
    severity: "violation",
    title: "An acknowledged insight name is not one of the cluster's upgrade insights",
    remedy:
      "Acknowledge an insight by its exact name (aws eks list-insights --cluster-name <cluster>), or remove the name: a misspelt acknowledgement accepts nothing.",
  },
  NODES_BEYOND_SKEW: {
    key: "clusterVersion",
    code: "EKSUP036",
    severity: "violation",
    title:
      "Nodes this tool does not move (Karpenter, self-managed, Fargate, Auto Mode) would fall behind the control plane beyond the kubelet skew policy",
    remedy:
      "Move those nodes to a newer kubelet first with what manages them (Karpenter: an AMI of a newer minor in the EC2NodeClass, and drift replaces the nodes; Fargate: restart the pods; self-managed: your own rollout), or set {{clusterVersion}} no further than they allow.",
    source: "https://kubernetes.io/releases/version-skew-policy/#kubelet",
  },
  INSIGHT_ACCEPTED: {
    key: "upgrade.insights",
    code: "EKSUP101",
    severity: "warning",
    title: "An upgrade-readiness insight reports ERROR but was acknowledged",
    remedy:
      "The control-plane step for that version is sent with force; check the insight's resources afterwards.",
  },
  INSIGHT_WARNING: {
    key: "upgrade.insights",
    code: "EKSUP102",
    severity: "warning",
    title: "An upgrade-readiness insight reports WARNING for a version on the path",
    remedy: "Review the insight (aws eks describe-insight) before or right after the upgrade.",
  },
  ADDON_KEPT_NEWER: {
    key: "addons.<name>",
    code: "EKSUP103",
    severity: "warning",
    title: "The add-on runs a newer version than its policy selects; it is kept",
    remedy: 'Nothing to do; pin the version or use "latest" to make it explicit.',
  },
  UPDATE_IN_PROGRESS: {
    key: "clusterVersion",
    code: "EKSUP104",
    severity: "warning",
    title: "An update is already in progress; it will be awaited, not issued again",
    remedy: "Nothing to do.",
  },
  TARGET_EXTENDED_SUPPORT: {
    key: "clusterVersion",
    code: "EKSUP105",
    severity: "warning",
    title: "The target Kubernetes version is past its standard support: in extended support",
    remedy:
      "Extended support is billed per cluster hour for up to 12 more months: plan the next upgrade, or set {{clusterVersion}} to a minor in standard support (aws eks describe-cluster-versions --version-status STANDARD_SUPPORT).",
  },
  TARGET_UNSUPPORTED: {
    key: "clusterVersion",
    code: "EKSUP106",
    severity: "warning",
    title: "The target Kubernetes version is past the end of extended support",
    remedy:
      "Set {{clusterVersion}} to a minor EKS still supports (aws eks describe-cluster-versions); EKS would move the cluster on by itself.",
  },
  PATH_THROUGH_ENDED_SUPPORT: {
    key: "clusterVersion",
    code: "EKSUP107",
    severity: "warning",
    title: "The way to the target passes minors whose standard support has ended",
    remedy:
      "Nothing to do: EKS moves one minor at a time, and each of them runs only for its step. Check their add-on and API deprecations all the same.",
  },
  AUTO_UPGRADE_SOON: {
    key: "clusterVersion",
    code: "EKSUP108",
    severity: "warning",
    title:
      "EKS will soon upgrade the running version by itself (end of the support its upgrade policy covers)",
    remedy:
      "Upgrade on your own terms before that date: raise {{clusterVersion}}. An EXTENDED upgrade policy (aws eks update-cluster-config --upgrade-policy supportType=EXTENDED) postpones it, at extra cost.",
  },
  AUTO_MODE_NODES: {
    key: "clusterVersion",
    code: "EKSUP109",
    severity: "warning",
    title: "EKS Auto Mode upgrades its own nodes after the control plane",
    remedy:
      "Nothing to do for them here; their NodePool disruption budgets and do-not-disrupt annotations decide how fast they roll. Check those before the upgrade.",
  },
  INSIGHTS_NOT_REFRESHED: {
    key: "upgrade.insights",
    code: "EKSUP110",
    severity: "warning",
    title: "The upgrade insights could not be refreshed before the run",
    remedy:
      "The run gates on the insights EKS evaluated last (daily). To be sure, wait for aws eks describe-insights-refresh to report COMPLETED and run again.",
  },
  BAKE_HOLD: {
    key: "upgrade.bakeHours",
    code: "EKSUP111",
    severity: "warning",
    title: "Node groups and add-ons that need the new minor wait for the control plane's bake period",
    remedy:
      "Run again once the bake period has passed (pulumi up, or eks-upgrade apply): they follow then. To let them follow at once, set {{upgrade.bakeHours=0}}.",
  },
  WEBHOOK_COVERS_KUBE_SYSTEM: {
    key: "nodeGroups.<name>.drainChecks",
    code: "EKSUP116",
    severity: "warning",
    title:
      "An admission webhook with failurePolicy Fail covers pods in kube-system: while its own pods are evicted, CoreDNS and the other system pods cannot be created",
    remedy:
      "Exclude kube-system from its namespaceSelector (kubernetes.io/metadata.name NotIn [kube-system]), or run the webhook's pods on a node group that rolls last, with a PodDisruptionBudget.",
    source:
      "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#avoiding-operating-on-the-kube-system-namespace",
  },
  DRAIN_ACKNOWLEDGED: {
    key: "nodeGroups.<name>.drainChecks",
    code: "EKSUP113",
    severity: "warning",
    title: "A drain finding was acknowledged (drainChecks: warn) or is overridden by force",
    remedy:
      "Watch the node group's update: a budget that still refuses fails it with PodEvictionFailure after 15 minutes (the progress names the pod); with force, the pods are deleted.",
  },
  DRAIN_WAITS_FOR_REPLACEMENTS: {
    key: "nodeGroups.<name>.drainChecks",
    code: "EKSUP115",
    severity: "warning",
    title:
      "The nodes drained at once hold more of a budget's pods than it allows to be disrupted: the drain waits for replacements",
    remedy:
      "Usually fine: EKS evicts the rest once the first replacements are Ready on the new nodes. If they start slowly, the 15-minute limit can fail the update: spread the workload (topologySpreadConstraints) or lower {{nodeGroups.<name>.maxUnavailable}}.",
  },
  KUBERNETES_NOT_READ: {
    key: "upgrade.kubernetesChecks",
    code: "EKSUP114",
    severity: "warning",
    title: "The cluster's Kubernetes API could not be read: drain checks were skipped",
    remedy:
      "Give this machine network access to the cluster endpoint and the credentials an access entry with the view rights of docs/kubernetes-rbac.yaml; or turn the checks off with {{upgrade.kubernetesChecks=false}}.",
  },
  CLUSTER_NOT_FOUND: {
    key: "clusterName",
    code: "EKSUP201",
    severity: "error",
    title: "The cluster was not found where the engine looked",
    remedy:
      "Check {{clusterName}} and {{region}} (aws eks list-clusters --region <region>), and that the credentials in use belong to the account that holds the cluster.",
  },
  ACCESS_DENIED: {
    key: "clusterName",
    code: "EKSUP202",
    severity: "error",
    title: "An AWS call was denied to the credentials in use",
    remedy: "Grant the credentials in use the actions of docs/iam-policy.json, then run again.",
  },
  CREDENTIALS: {
    key: "region",
    code: "EKSUP203",
    severity: "error",
    title: "No valid AWS credentials (missing or expired)",
    remedy:
      "Log in (aws sso login, a profile in AWS_PROFILE, or a role assumed in CI) and run again; credentials come from the AWS default chain only.",
  },
  THROTTLED: {
    key: "region",
    code: "EKSUP204",
    severity: "error",
    title: "EKS kept throttling after every retry",
    remedy:
      "Run again in a few minutes (nothing finished is repeated); lower {{upgrade.concurrency}} or pause other automation calling EKS in this account and region.",
  },
  ENDPOINT_UNREACHABLE: {
    key: "region",
    code: "EKSUP205",
    severity: "error",
    title: "The EKS endpoint could not be reached",
    remedy: "Check network access to EKS in this region (proxy, VPC endpoint, firewall), then run again.",
  },
  WORKLOADS_NOT_BACK: {
    key: "upgrade.healthGate",
    code: "EKSUP206",
    severity: "error",
    title:
      "After a control-plane or node-group step, Deployments, StatefulSets or DaemonSets did not come back to their ready counts, or their pods newly keep failing (CrashLoopBackOff, ImagePullBackOff, ...)",
    remedy:
      "The run paused the cluster and stopped. Look at the named workloads (kubectl describe, kubectl logs --previous), fix them, then eks-upgrade resume and run again; finished steps are not repeated. Or roll back while EKS allows it. {{upgrade.healthGate=warn}} only warns; {{upgrade.deadlines.healthGateMinutes}} gives slow workloads longer.",
    // What a container's waiting reason says (CrashLoopBackOff and the others the gate reads).
    source: "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-state-waiting",
  },
} as const satisfies Record<string, CheckDefinition>;

export type CheckName = keyof typeof CHECKS;

export interface Finding {
  code: string;
  name: CheckName;
  field: string;
  message: string;
  remedy: string;
}

export function finding(
  name: CheckName,
  field: string,
  message: string,
  remedy: string = CHECKS[name].remedy,
): Finding {
  return { code: CHECKS[name].code, name, field, message, remedy };
}
