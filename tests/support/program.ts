/** Runs the Pulumi program under mocks for a shipped stack file and records what it registers. */
import * as pulumi from "@pulumi/pulumi";
import { getCallbacks } from "@pulumi/pulumi/runtime/settings";
import * as runtimeState from "@pulumi/pulumi/runtime/state";
import { loadStackConfig } from "../../infra/config";
import { buildStack, stackOutputs } from "../../infra/program";
import { stackConfig } from "./stacks";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export const CLUSTER_UPGRADE = "pulumi-nodejs:dynamic/eks-upgrade:ClusterUpgrade";

/** Runs the program under Pulumi mocks and returns every resource it registered, in order. */
export async function run(
  file: string,
  upstream = { controlPlaneVersion: "1.31", upgradedAt: "2026-11-01T00:00:00Z" },
  /** Stack config keys set over the file's, as `pulumi config set` would. */
  overrides: Record<string, string> = {},
) {
  const registered: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
        });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "eks:index:Cluster") {
          Object.assign(state, {
            eksCluster: { name: args.inputs.name, version: args.inputs.version },
            core: { subnetIds: ["subnet-1", "subnet-2"] },
            kubeconfigJson: "{}",
          });
        }
        if (args.type === "aws:iam/role:Role") state.arn = `arn:aws:iam::123456789012:role/${args.name}`;
        if (args.type === "pulumi:pulumi:StackReference") state.outputs = upstream;
        if (args.type === CLUSTER_UPGRADE) {
          state.versions = {
            controlPlane: args.inputs.clusterVersion,
            platformVersion: "eks.9",
            addons: {},
            nodeGroups: {},
          };
        }
        return { id: `${args.name}-id`, state };
      },
      call: (args) =>
        args.token === "aws:eks/getAddonVersion:getAddonVersion"
          ? { version: "v1.99.0-eksbuild.1", ...args.inputs }
          : {},
    },
    "eks-upgrade",
    file.replace(/^Pulumi\.|\.yaml$/g, ""),
    false,
    // As a local backend names it (pulumi login --local): stack references in the project use it.
    "organization",
  );
  const transforms = allowTransformsUnderMocks();
  const config = loadStackConfig({ ...stackConfig(file), ...overrides });
  const stack = buildStack(config, "eu-west-1");
  const outputs = stackOutputs(stack);
  // Wait for every registration the outputs depend on.
  await new Promise((resolve) =>
    pulumi.all([outputs.controlPlaneVersion, outputs.clusterName, stack.upgrade.urn]).apply(resolve),
  );
  await new Promise((r) => setTimeout(r, 50));
  return { config, stack, registered, outputs, transforms };
}

/**
 * @pulumi/pulumi 3.248 (the last release for Node 20) has its mock monitor refuse resources with
 * `transforms`, although the engine supports them: let the SDK register them through its local
 * callback server, as it does with a real engine. The mocks do not run them (their own tests do).
 */
function allowTransformsUnderMocks(): unknown[] {
  // Internal in 3.248 (not in its typings): the flag the mock monitor sets to false.
  (runtimeState as unknown as { getStore(): { supportsTransforms: boolean } }).getStore().supportsTransforms =
    true;
  // Record each transform as the SDK registers it (3.248's mock arguments do not carry them).
  const server = getCallbacks() as unknown as { registerTransform(t: unknown): Promise<unknown> };
  const register = server.registerTransform.bind(server);
  const seen: unknown[] = [];
  server.registerTransform = (t) => {
    seen.push(t);
    return register(t);
  };
  return seen;
}

export const of = (registered: Registered[], type: string) => registered.filter((r) => r.type === type);
