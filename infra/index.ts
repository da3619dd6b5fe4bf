import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./config";
import { buildStack, stackOutputs } from "./program";

// The Pulumi program (package.json "main"): one stack per environment, see Pulumi.<stack>.yaml.
const config = loadStackConfig(pulumi.runtime.allConfig());
const region = new pulumi.Config("aws").require("region");

export const { clusterName, controlPlaneVersion, addonVersions, nodeGroupReleases, lastRun, upgradedAt } =
  stackOutputs(buildStack(config, region));
