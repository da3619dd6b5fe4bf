/**
 * cluster-autoscaler for EKS, as the Kubernetes objects the program applies (after the upstream
 * project's AWS auto-discovery example). Plain objects rather than a Helm chart: nothing is
 * fetched at `pulumi up`, the preview shows every object, and the same objects are checked by
 * the API server itself (tests/kubernetes/controllers.test.ts, a strict server-side dry run).
 */

const NAME = "cluster-autoscaler";
const NAMESPACE = "kube-system";
const IMAGE_REPOSITORY = "registry.k8s.io/autoscaling/cluster-autoscaler";

export interface ClusterAutoscalerSettings {
  clusterName: string;
  region: string;
  /** The control-plane minor ClusterUpgrade reached ("1.36"): the image's minor must match it. */
  controlPlane: string;
  /** IAM role for the service account (IRSA); without it the node role's permissions apply. */
  roleArn?: string;
}

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

/** cluster-autoscaler releases one minor per Kubernetes minor; `.0` is the first of each. */
function autoscalerImageTag(controlPlane: string): string {
  return `v${controlPlane}.0`;
}

const LABELS = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/managed-by": "eks-upgrade" };
const metadata = (namespaced: boolean, extra: Record<string, unknown> = {}) => ({
  name: NAME,
  ...(namespaced ? { namespace: NAMESPACE } : {}),
  labels: LABELS,
  ...extra,
});
const rule = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]) => ({
  apiGroups,
  resources,
  verbs,
  ...(resourceNames ? { resourceNames } : {}),
});
const READ = ["get", "list", "watch"];
const subjects = [{ kind: "ServiceAccount", name: NAME, namespace: NAMESPACE }];

/** The objects, in the order they can be applied (the account and its rights before the Deployment). */
export function clusterAutoscalerObjects(s: ClusterAutoscalerSettings): KubernetesObject[] {
  const annotations = s.roleArn ? { annotations: { "eks.amazonaws.com/role-arn": s.roleArn } } : {};
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: metadata(true, annotations) },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: metadata(false),
      rules: [
        rule([""], ["events", "endpoints"], ["create", "patch"]),
        rule([""], ["pods/eviction"], ["create"]),
        rule([""], ["pods/status"], ["update"]),
        rule([""], ["endpoints"], ["get", "update"], [NAME]),
        rule([""], ["nodes"], [...READ, "update"]),
        rule(
          [""],
          [
            "namespaces",
            "pods",
            "services",
            "replicationcontrollers",
            "persistentvolumeclaims",
            "persistentvolumes",
          ],
          READ,
        ),
        rule(["apps"], ["statefulsets", "replicasets", "daemonsets"], READ),
        rule(["policy"], ["poddisruptionbudgets"], ["list", "watch"]),
        rule(
          ["storage.k8s.io"],
          ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities", "volumeattachments"],
          READ,
        ),
        rule(["batch"], ["jobs", "cronjobs"], [...READ, "patch"]),
        rule(["coordination.k8s.io"], ["leases"], ["create"]),
        rule(["coordination.k8s.io"], ["leases"], ["get", "update"], [NAME]),
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: metadata(true),
      rules: [
        rule([""], ["configmaps"], ["create", "list", "watch"]),
        rule(
          [""],
          ["configmaps"],
          ["delete", "get", "update", "watch"],
          [`${NAME}-status`, `${NAME}-priority-expander`],
        ),
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: metadata(false),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: NAME },
      subjects,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: metadata(true),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: NAME },
      subjects,
    },
    deployment(s),
  ];
}

function deployment(s: ClusterAutoscalerSettings): KubernetesObject {
  const selector = { "app.kubernetes.io/name": NAME };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(true),
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: LABELS },
        spec: {
          serviceAccountName: NAME,
          priorityClassName: "system-cluster-critical",
          securityContext: { runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534 },
          containers: [
            {
              name: NAME,
              image: `${IMAGE_REPOSITORY}:${autoscalerImageTag(s.controlPlane)}`,
              command: [
                "./cluster-autoscaler",
                "--cloud-provider=aws",
                `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${s.clusterName}`,
                "--balance-similar-node-groups",
                "--skip-nodes-with-local-storage=false",
                "--expander=least-waste",
              ],
              env: [{ name: "AWS_REGION", value: s.region }],
              resources: {
                requests: { cpu: "100m", memory: "600Mi" },
                limits: { cpu: "100m", memory: "600Mi" },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
            },
          ],
        },
      },
    },
  };
}
