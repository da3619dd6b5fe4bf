import type { EksBackend } from "../backend";
import { invalidParameter } from "../errors";
import type { AddonChangeInput, NodegroupConfigInput, NodegroupVersionInput } from "../rules";
import { type Json, optBoolean, optObject, optString, queryBool, queryInt, queryString } from "./input";
import type { Route } from "./router";

/** One EKS operation: where it lives on the wire and how its input reaches the backend. */
export interface EksRoute extends Route {
  operation: string;
  handle(backend: EksBackend, req: EksRequest): unknown;
}

export interface EksRequest {
  path: Record<string, string>;
  query: URLSearchParams;
  body: Json;
}

const name = (r: EksRequest) => r.path.name ?? "";
const page = (r: EksRequest) => [queryInt(r.query, "maxResults"), queryString(r.query, "nextToken")] as const;
const target = (r: EksRequest) => ({
  ...(r.query.get("nodegroupName") ? { nodegroup: r.query.get("nodegroupName") as string } : {}),
  ...(r.query.get("addonName") ? { addon: r.query.get("addonName") as string } : {}),
});

function stringList(value: unknown, key: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw invalidParameter(`${key} must be a list of strings`);
  return value as string[];
}

export const EKS_ROUTES: readonly EksRoute[] = [
  {
    operation: "DescribeCluster",
    method: "GET",
    path: "/clusters/{name}",
    handle: (b, r) => b.describeCluster(name(r)),
  },
  {
    operation: "UpdateClusterVersion",
    method: "POST",
    path: "/clusters/{name}/updates",
    handle: (b, r) =>
      b.updateClusterVersion(name(r), {
        version: optString(r.body, "version"),
        force: optBoolean(r.body, "force"),
        rollbackConfig: optObject<{ timeoutMinutes?: number }>(r.body, "rollbackConfig"),
        clientRequestToken: optString(r.body, "clientRequestToken"),
      }),
  },
  {
    operation: "ListUpdates",
    method: "GET",
    path: "/clusters/{name}/updates",
    handle: (b, r) => b.listUpdates(name(r), target(r), ...page(r)),
  },
  {
    operation: "DescribeUpdate",
    method: "GET",
    path: "/clusters/{name}/updates/{updateId}",
    handle: (b, r) => b.describeUpdate(name(r), r.path.updateId ?? "", target(r)),
  },
  {
    operation: "ListNodegroups",
    method: "GET",
    path: "/clusters/{name}/node-groups",
    handle: (b, r) => b.listNodegroups(name(r), ...page(r)),
  },
  {
    operation: "DescribeNodegroup",
    method: "GET",
    path: "/clusters/{name}/node-groups/{nodegroupName}",
    handle: (b, r) => b.describeNodegroup(name(r), r.path.nodegroupName ?? ""),
  },
  {
    operation: "UpdateNodegroupVersion",
    method: "POST",
    path: "/clusters/{name}/node-groups/{nodegroupName}/update-version",
    handle: (b, r) => {
      const input: NodegroupVersionInput & { force?: boolean; clientRequestToken?: string } = {
        version: optString(r.body, "version"),
        releaseVersion: optString(r.body, "releaseVersion"),
        launchTemplate: optObject(r.body, "launchTemplate"),
        force: optBoolean(r.body, "force"),
        clientRequestToken: optString(r.body, "clientRequestToken"),
      };
      return b.updateNodegroupVersion(name(r), r.path.nodegroupName ?? "", input);
    },
  },
  {
    operation: "UpdateNodegroupConfig",
    method: "POST",
    path: "/clusters/{name}/node-groups/{nodegroupName}/update-config",
    handle: (b, r) => {
      const input: NodegroupConfigInput & { clientRequestToken?: string } = {
        scalingConfig: optObject(r.body, "scalingConfig"),
        updateConfig: optObject(r.body, "updateConfig"),
        labels: optObject(r.body, "labels"),
        clientRequestToken: optString(r.body, "clientRequestToken"),
      };
      return b.updateNodegroupConfig(name(r), r.path.nodegroupName ?? "", input);
    },
  },
  {
    operation: "ListAddons",
    method: "GET",
    path: "/clusters/{name}/addons",
    handle: (b, r) => b.listAddons(name(r), ...page(r)),
  },
  {
    operation: "DescribeAddon",
    method: "GET",
    path: "/clusters/{name}/addons/{addonName}",
    handle: (b, r) => b.describeAddon(name(r), r.path.addonName ?? ""),
  },
  {
    operation: "UpdateAddon",
    method: "POST",
    path: "/clusters/{name}/addons/{addonName}/update",
    handle: (b, r) => {
      const input: AddonChangeInput & { clientRequestToken?: string } = {
        addonVersion: optString(r.body, "addonVersion"),
        resolveConflicts: optString(r.body, "resolveConflicts"),
        configurationValues: optString(r.body, "configurationValues"),
        serviceAccountRoleArn: optString(r.body, "serviceAccountRoleArn"),
        clientRequestToken: optString(r.body, "clientRequestToken"),
      };
      return b.updateAddon(name(r), r.path.addonName ?? "", input);
    },
  },
  {
    operation: "DescribeAddonVersions",
    method: "GET",
    path: "/addons/supported-versions",
    handle: (b, r) =>
      b.describeAddonVersions({
        kubernetesVersion: queryString(r.query, "kubernetesVersion"),
        addonName: queryString(r.query, "addonName"),
        maxResults: queryInt(r.query, "maxResults"),
        nextToken: queryString(r.query, "nextToken"),
      }),
  },
  {
    operation: "ListInsights",
    method: "POST",
    path: "/clusters/{name}/insights",
    handle: (b, r) => {
      const filter = optObject(r.body, "filter");
      const maxResults = r.body.maxResults;
      if (maxResults !== undefined && typeof maxResults !== "number")
        throw invalidParameter("maxResults must be a number");
      return b.listInsights(
        name(r),
        filter && {
          categories: stringList(filter.categories, "filter.categories"),
          kubernetesVersions: stringList(filter.kubernetesVersions, "filter.kubernetesVersions"),
          statuses: stringList(filter.statuses, "filter.statuses"),
        },
        maxResults as number | undefined,
        optString(r.body, "nextToken"),
      );
    },
  },
  {
    operation: "StartInsightsRefresh",
    method: "POST",
    path: "/clusters/{name}/insights-refresh",
    handle: (b, r) => b.startInsightsRefresh(name(r)),
  },
  {
    operation: "DescribeInsightsRefresh",
    method: "GET",
    path: "/clusters/{name}/insights-refresh",
    handle: (b, r) => b.describeInsightsRefresh(name(r)),
  },
  {
    operation: "DescribeInsight",
    method: "GET",
    path: "/clusters/{name}/insights/{id}",
    handle: (b, r) => b.describeInsight(name(r), r.path.id ?? ""),
  },
  {
    operation: "TagResource",
    method: "POST",
    path: "/tags/{resourceArn}",
    handle: (b, r) =>
      b.tagResource(r.path.resourceArn ?? "", optObject<Record<string, string>>(r.body, "tags")),
  },
  {
    operation: "UntagResource",
    method: "DELETE",
    path: "/tags/{resourceArn}",
    handle: (b, r) => b.untagResource(r.path.resourceArn ?? "", r.query.getAll("tagKeys")),
  },
  {
    operation: "ListTagsForResource",
    method: "GET",
    path: "/tags/{resourceArn}",
    handle: (b, r) => b.listTagsForResource(r.path.resourceArn ?? ""),
  },
  {
    operation: "DescribeClusterVersions",
    method: "GET",
    path: "/cluster-versions",
    handle: (b, r) =>
      b.describeClusterVersions({
        clusterVersions: r.query.getAll("clusterVersions"),
        includeAll: queryBool(r.query, "includeAll"),
        defaultOnly: queryBool(r.query, "defaultOnly"),
        versionStatus: queryString(r.query, "versionStatus"),
        maxResults: queryInt(r.query, "maxResults"),
        nextToken: queryString(r.query, "nextToken"),
      }),
  },
];

/** The parameters of a call that matter in the audit log. */
export function auditParams(operation: string, req: EksRequest): Record<string, unknown> | undefined {
  const pick = (keys: string[], from: Json) => {
    const out: Record<string, unknown> = {};
    for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
    return Object.keys(out).length ? out : undefined;
  };
  switch (operation) {
    case "UpdateClusterVersion":
      return pick(["version", "force", "rollbackConfig"], req.body);
    case "UpdateNodegroupVersion":
      return pick(["version", "releaseVersion", "launchTemplate", "force"], req.body);
    case "UpdateNodegroupConfig":
      return pick(["updateConfig", "scalingConfig", "labels"], req.body);
    case "UpdateAddon":
      return pick(["addonVersion", "resolveConflicts"], req.body);
    case "ListInsights":
      return pick(["filter"], req.body);
    case "TagResource":
      return pick(["tags"], req.body);
    case "UntagResource":
      return { tagKeys: req.query.getAll("tagKeys") };
    case "DescribeAddonVersions":
      return pick(["kubernetesVersion", "addonName"], Object.fromEntries(req.query));
    default:
      return undefined;
  }
}
