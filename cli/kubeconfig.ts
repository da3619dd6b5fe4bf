import { type Clients, describeCluster } from "@eks-upgrade/engine";
import { stringify } from "yaml";
import { CliError, EXIT } from "./errors";

/**
 * A kubeconfig for the cluster's API server, as `aws eks update-kubeconfig` writes it: the
 * endpoint and CA from DescribeCluster, and a user that runs `aws eks get-token` for each
 * connection (the token the API server checks). Against the local emulator the exec also names
 * its STS endpoint and the local credentials it accepts (none of them secret).
 */
export async function kubeconfig(
  clients: Clients,
  ref: { clusterName: string; region: string; endpoints?: { eks?: string; sts?: string } | undefined },
): Promise<string> {
  const server = (await describeCluster(clients.eks, ref.clusterName)).apiServer;
  if (!server)
    throw new CliError(
      `cluster ${ref.clusterName} has no Kubernetes API endpoint in DescribeCluster (an emulator seed needs "kubernetes": true)`,
      EXIT.failed,
    );
  const sts = ref.endpoints?.sts ?? ref.endpoints?.eks;
  const env = sts
    ? [
        { name: "AWS_ENDPOINT_URL_STS", value: sts },
        { name: "AWS_ACCESS_KEY_ID", value: "local-emulator" },
        { name: "AWS_SECRET_ACCESS_KEY", value: "local-emulator" },
      ]
    : undefined;
  const name = ref.clusterName;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: server.endpoint, "certificate-authority-data": server.caData } }],
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["--region", ref.region, "eks", "get-token", "--cluster-name", name, "--output", "json"],
            ...(env ? { env } : {}),
            interactiveMode: "Never",
          },
        },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
  });
}
