import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterVersionsCommand,
  DescribeInsightCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListAddonsCommand,
  ListInsightsCommand,
  ListNodegroupsCommand,
  paginateListNodegroups,
} from "@aws-sdk/client-eks";
import { Catalog } from "../../emulator/src/index";
import {
  demoCluster,
  demoSeed,
  type Harness,
  raw,
  rejectsWith,
  startHarness,
  stopHarness,
} from "../support/emulator";

const catalog = Catalog.default();

const manyNodegroups = Array.from({ length: 7 }, (_, i) => ({
  name: `ng-${i}`,
  amiType: "AL2023_x86_64_STANDARD" as const,
}));

describe("read operations and the wire format", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(
      demoSeed({
        startTime: "2026-11-21T00:00:00Z",
        clusters: [
          demoCluster({
            insights: [
              {
                id: "ins-1",
                name: "Deprecated APIs removed in Kubernetes v1.30",
                kubernetesVersion: "1.30",
                status: "WARNING",
              },
              { id: "ins-2", name: "Kubelet version skew", kubernetesVersion: "1.30", status: "PASSING" },
              {
                id: "ins-3",
                name: "Cluster health issues",
                kubernetesVersion: "1.31",
                status: "ERROR",
                recommendation: "Fix it.",
              },
              {
                id: "ins-4",
                name: "Amazon Linux 2 compatibility",
                category: "MISCONFIGURATION",
                kubernetesVersion: "1.30",
                status: "WARNING",
              },
            ],
          }),
          { name: "fleet", version: "1.31", nodegroups: manyNodegroups },
        ],
      }),
    );
  });
  after(() => stopHarness(h));

  it("DescribeCluster sends epoch-second numbers for timestamps, which the SDK reads as dates", async () => {
    const wire = await raw(h, "/clusters/demo");
    const cluster = wire.body.cluster as Record<string, unknown>;
    assert.equal(typeof cluster.createdAt, "number");
    assert.ok((cluster.createdAt as number) < 1e11, "seconds, not milliseconds");
    assert.equal(cluster.version, "1.29");
    assert.deepEqual(cluster.upgradePolicy, { supportType: "EXTENDED" });
    assert.deepEqual(cluster.health, { issues: [] });
    assert.equal(wire.headers.get("content-type"), "application/json");
    assert.ok(wire.headers.get("x-amzn-requestid"));
  });

  it("errors carry the status, x-amzn-errortype and a body with nulls for absent names", async () => {
    const wire = await raw(h, "/clusters/demo/node-groups/nope");
    assert.equal(wire.status, 404);
    assert.equal(wire.headers.get("x-amzn-errortype"), "ResourceNotFoundException");
    assert.deepEqual(wire.body, {
      message: "No node group found for name: nope.",
      clusterName: "demo",
      nodegroupName: "nope",
      addonName: null,
    });
    const unknown = await raw(h, "/no/such/route");
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get("x-amzn-errortype"), "UnknownOperationException");
  });

  it("paginates ListNodegroups with maxResults and nextToken, and refuses a bad token or page size", async () => {
    const first = await h.eks.send(new ListNodegroupsCommand({ clusterName: "fleet", maxResults: 3 }));
    assert.deepEqual(first.nodegroups, ["ng-0", "ng-1", "ng-2"]);
    assert.ok(first.nextToken);
    const all: string[] = [];
    for await (const page of paginateListNodegroups(
      { client: h.eks, pageSize: 3 },
      { clusterName: "fleet" },
    )) {
      all.push(...(page.nodegroups ?? []));
    }
    assert.deepEqual(
      all,
      manyNodegroups.map((n) => n.name),
    );
    const last = await h.eks.send(new ListNodegroupsCommand({ clusterName: "fleet", maxResults: 100 }));
    assert.equal(last.nextToken, undefined);
    await rejectsWith(
      h.eks.send(new ListNodegroupsCommand({ clusterName: "fleet", nextToken: "garbage" })),
      "InvalidParameterException",
      "The nextToken provided is invalid",
    );
    await rejectsWith(
      h.eks.send(new ListNodegroupsCommand({ clusterName: "fleet", maxResults: 101 })),
      "InvalidParameterException",
      /maxResults/,
    );
  });

  it("DescribeNodegroup answers the managed node group's fields", async () => {
    const { nodegroup } = await h.eks.send(
      new DescribeNodegroupCommand({ clusterName: "demo", nodegroupName: "general" }),
    );
    assert.equal(nodegroup?.amiType, "AL2023_x86_64_STANDARD");
    assert.equal(nodegroup?.version, "1.29");
    assert.equal(nodegroup?.releaseVersion, "1.29.0-20240213");
    assert.deepEqual(nodegroup?.scalingConfig, { minSize: 1, maxSize: 6, desiredSize: 3 });
    assert.deepEqual(nodegroup?.updateConfig, { maxUnavailable: 1 });
    assert.ok(nodegroup?.modifiedAt instanceof Date);
    const custom = (
      await h.eks.send(new DescribeNodegroupCommand({ clusterName: "demo", nodegroupName: "custom" }))
    ).nodegroup;
    assert.equal(custom?.amiType, "CUSTOM");
    assert.equal(custom?.launchTemplate?.name, "custom-lt");
    assert.equal(custom?.launchTemplate?.version, "3");
    assert.match(custom?.launchTemplate?.id ?? "", /^lt-[0-9a-f]{17}$/);
  });

  it("ListAddons and DescribeAddon", async () => {
    const { addons } = await h.eks.send(new ListAddonsCommand({ clusterName: "demo" }));
    assert.deepEqual(addons, ["vpc-cni", "coredns", "kube-proxy"]);
    const { addon } = await h.eks.send(
      new DescribeAddonCommand({ clusterName: "demo", addonName: "vpc-cni" }),
    );
    assert.equal(addon?.addonVersion, "v1.16.0-eksbuild.1");
    assert.equal(addon?.status, "ACTIVE");
    assert.match(addon?.addonArn ?? "", /^arn:aws:eks:us-east-1:111122223333:addon\/demo\/vpc-cni\//);
  });

  it("DescribeAddonVersions: newest first, compatibilities per minor, exactly one default per minor, paginated", async () => {
    const out = await h.eks.send(
      new DescribeAddonVersionsCommand({ addonName: "coredns", kubernetesVersion: "1.30" }),
    );
    const versions = out.addons?.[0]?.addonVersions ?? [];
    const expected = catalog
      .addonVersions("coredns")
      .filter((v) => v.compatibleWith.has("1.30"))
      .map((v) => v.version)
      .reverse();
    assert.deepEqual(
      versions.map((v) => v.addonVersion),
      expected,
    );
    const defaults = versions.filter((v) =>
      v.compatibilities?.some((c) => c.clusterVersion === "1.30" && c.defaultVersion),
    );
    assert.deepEqual(
      defaults.map((v) => v.addonVersion),
      [catalog.defaultAddonVersion("coredns", "1.30")],
    );
    // Asked for one minor, each version lists its compatibility with that minor only (as EKS does).
    assert.ok(versions.every((v) => v.compatibilities?.map((c) => c.clusterVersion).join() === "1.30"));
    // Asked for none, compatibilities list every minor: a client must match on clusterVersion.
    const all = await h.eks.send(new DescribeAddonVersionsCommand({ addonName: "coredns" }));
    assert.ok(
      all.addons?.[0]?.addonVersions?.some(
        (v) => (v.compatibilities?.length ?? 0) > 1 && v.compatibilities?.[0]?.clusterVersion !== "1.30",
      ),
    );

    const pages: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await h.eks.send(
        new DescribeAddonVersionsCommand({ kubernetesVersion: "1.31", maxResults: 2, nextToken }),
      );
      assert.ok((page.addons?.length ?? 0) <= 2);
      pages.push(...(page.addons ?? []).map((a) => a.addonName ?? ""));
      nextToken = page.nextToken;
    } while (nextToken);
    assert.deepEqual(pages, [
      "aws-ebs-csi-driver",
      "coredns",
      "eks-pod-identity-agent",
      "kube-proxy",
      "vpc-cni",
    ]);
  });

  it("a seed's add-on version unknown to the catalog joins it for the cluster's minor", async () => {
    const out = await h.eks.send(
      new DescribeAddonVersionsCommand({ addonName: "vpc-cni", kubernetesVersion: "1.29" }),
    );
    assert.ok(out.addons?.[0]?.addonVersions?.some((v) => v.addonVersion === "v1.16.0-eksbuild.1"));
  });

  it("DescribeClusterVersions: the support calendar as of the simulated date", async () => {
    const { clusterVersions } = await h.eks.send(new DescribeClusterVersionsCommand({}));
    // On 2026-11-21: 1.28-1.30 are past extended support, 1.31-1.33 in extended, 1.34-1.36 in standard.
    assert.deepEqual(
      clusterVersions?.map((v) => [v.clusterVersion, v.versionStatus]),
      [
        ["1.36", "STANDARD_SUPPORT"],
        ["1.35", "STANDARD_SUPPORT"],
        ["1.34", "STANDARD_SUPPORT"],
        ["1.33", "EXTENDED_SUPPORT"],
        ["1.32", "EXTENDED_SUPPORT"],
        ["1.31", "EXTENDED_SUPPORT"],
      ],
    );
    const v131 = clusterVersions?.find((v) => v.clusterVersion === "1.31");
    assert.equal(v131?.endOfExtendedSupportDate?.toISOString(), "2026-11-26T00:00:00.000Z");
    assert.equal(v131?.defaultPlatformVersion, catalog.latestPlatformVersion("1.31"));
    const all = await h.eks.send(new DescribeClusterVersionsCommand({ includeAll: true }));
    assert.equal(all.clusterVersions?.length, catalog.kubernetesVersions().length);
    const one = await h.eks.send(new DescribeClusterVersionsCommand({ clusterVersions: ["1.29"] }));
    assert.deepEqual(
      one.clusterVersions?.map((v) => [v.clusterVersion, v.versionStatus]),
      [["1.29", "UNSUPPORTED"]],
    );
  });

  it("ListInsights honours the filter; DescribeInsight adds the recommendation", async () => {
    const list = async (filter: Record<string, string[]>) =>
      ((await h.eks.send(new ListInsightsCommand({ clusterName: "demo", filter }))).insights ?? []).map(
        (i) => i.id,
      );
    assert.deepEqual(await list({}), ["ins-1", "ins-2", "ins-3", "ins-4"]);
    assert.deepEqual(await list({ categories: ["UPGRADE_READINESS"] }), ["ins-1", "ins-2", "ins-3"]);
    assert.deepEqual(await list({ categories: ["UPGRADE_READINESS"], kubernetesVersions: ["1.30"] }), [
      "ins-1",
      "ins-2",
    ]);
    assert.deepEqual(await list({ statuses: ["ERROR", "WARNING"] }), ["ins-1", "ins-3", "ins-4"]);
    const { insight } = await h.eks.send(new DescribeInsightCommand({ clusterName: "demo", id: "ins-3" }));
    assert.equal(insight?.insightStatus?.status, "ERROR");
    assert.equal(insight?.recommendation, "Fix it.");
    assert.equal(insight?.kubernetesVersion, "1.31");
    await rejectsWith(
      h.eks.send(new DescribeInsightCommand({ clusterName: "demo", id: "nope" })),
      "ResourceNotFoundException",
    );
  });

  it("the audit log records each call with its target", async () => {
    const client = new EKSClient({
      region: "us-east-1",
      endpoint: h.emulator.url,
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
    });
    const since = h.emulator.audit().at(-1)?.seq ?? 0;
    await client.send(new DescribeAddonCommand({ clusterName: "demo", addonName: "coredns" }));
    await client.send(new DescribeAddonVersionsCommand({ kubernetesVersion: "1.30", addonName: "coredns" }));
    client.destroy();
    const audit = h.emulator.audit(since);
    assert.ok(
      audit.every((e) => /aws-sdk-js/.test(e.userAgent ?? "")),
      "the caller's user agent is recorded",
    );
    const entries = audit.map(({ seq: _s, time: _t, userAgent: _u, ...e }) => e);
    assert.deepEqual(entries, [
      {
        service: "eks",
        operation: "DescribeAddon",
        mutating: false,
        cluster: "demo",
        addon: "coredns",
        status: 200,
      },
      {
        service: "eks",
        operation: "DescribeAddonVersions",
        mutating: false,
        params: { kubernetesVersion: "1.30", addonName: "coredns" },
        status: 200,
      },
    ]);
  });
});
