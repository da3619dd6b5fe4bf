import type { Observed } from "./model";

/** The versions a cluster really runs: what a run leaves, what `pulumi refresh` and `apply --format json` report. */
export interface RunningVersions {
  controlPlane: string;
  platformVersion: string;
  addons: Record<string, string>;
  nodeGroups: Record<string, { version: string; releaseVersion: string; launchTemplateVersion?: string }>;
}

export function runningVersions(observed: Observed): RunningVersions {
  const nodeGroups: RunningVersions["nodeGroups"] = {};
  for (const n of observed.nodegroups) {
    nodeGroups[n.name] = {
      version: n.version,
      releaseVersion: n.releaseVersion,
      ...(n.launchTemplate?.version ? { launchTemplateVersion: n.launchTemplate.version } : {}),
    };
  }
  const addons: Record<string, string> = {};
  for (const a of observed.addons) addons[a.name] = a.version;
  return {
    controlPlane: observed.cluster.version,
    platformVersion: observed.cluster.platformVersion,
    addons,
    nodeGroups,
  };
}
