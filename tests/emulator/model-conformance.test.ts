import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EKS_ROUTES } from "../../emulator/src/wire/eks-routes";
import { conformance, loadBotocoreModel } from "../support/botocore-model";
import { optionalTool } from "../support/optional-tool";
import { demoCluster, demoSeed, type Harness, raw, startHarness, stopHarness } from "../support/emulator";

const eksModel = loadBotocoreModel("eks");
const ssmModel = loadBotocoreModel("ssm");
const { skip } = optionalTool(
  "botocore",
  eksModel && ssmModel ? true : undefined,
  "botocore (AWS CLI v1) is not installed: the model conformance check needs its service models",
);

describe("conformance with botocore's EKS and SSM service models", { skip }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(
      demoSeed({
        clusters: [
          demoCluster({
            insights: [
              {
                id: "ins-1",
                name: "Deprecated APIs removed in Kubernetes v1.30",
                kubernetesVersion: "1.30",
                status: "WARNING",
              },
            ],
          }),
        ],
      }),
    );
  });
  after(() => stopHarness(h));

  it("every EKS operation lives at the model's method and path", () => {
    for (const route of EKS_ROUTES) {
      const op = eksModel?.operations[route.operation];
      assert.ok(op, `${route.operation} is an EKS operation`);
      assert.equal(route.method, op.http.method, route.operation);
      assert.equal(route.path, op.http.requestUri.split("?")[0], route.operation);
    }
  });

  it("every response, and every error body, uses only the model's members, types and enums", async () => {
    const json = (body: unknown) => ({
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    // Mutating calls first (the control plane last: it blocks the others), so the reads see updates of every kind.
    const calls: [string, string, RequestInit?][] = [
      ["UpdateAddon", "/clusters/demo/addons/coredns/update", json({ resolveConflicts: "OVERWRITE" })],
      [
        "UpdateNodegroupVersion",
        "/clusters/demo/node-groups/custom/update-version",
        json({ launchTemplate: { name: "custom-lt", version: "4" } }),
      ],
      [
        "UpdateNodegroupConfig",
        "/clusters/demo/node-groups/legacy/update-config",
        json({ updateConfig: { maxUnavailable: 2 } }),
      ],
      ["UpdateClusterVersion", "/clusters/demo/updates", json({ version: "1.30" })],
      ["DescribeCluster", "/clusters/demo"],
      ["ListNodegroups", "/clusters/demo/node-groups?maxResults=1"],
      ["DescribeNodegroup", "/clusters/demo/node-groups/general"],
      ["DescribeNodegroup", "/clusters/demo/node-groups/custom"],
      ["ListAddons", "/clusters/demo/addons?maxResults=2"],
      ["DescribeAddon", "/clusters/demo/addons/vpc-cni"],
      ["DescribeAddonVersions", "/addons/supported-versions?kubernetesVersion=1.30"],
      ["ListUpdates", "/clusters/demo/updates"],
      ["ListUpdates", "/clusters/demo/updates?nodegroupName=custom"],
      ["ListInsights", "/clusters/demo/insights", json({ filter: { categories: ["UPGRADE_READINESS"] } })],
      ["DescribeInsight", "/clusters/demo/insights/ins-1"],
      ["DescribeClusterVersions", "/cluster-versions?includeAll=true"],
    ];
    const problems: string[] = [];
    for (const [operation, path, init] of calls) {
      const res = await raw(h, path, init);
      assert.equal(res.status, 200, `${operation} ${path}: ${JSON.stringify(res.body)}`);
      const output = eksModel?.operations[operation]?.output?.shape ?? "";
      problems.push(...conformance(eksModel ?? { operations: {}, shapes: {} }, output, res.body, operation));
    }
    const { updateIds } = (await raw(h, "/clusters/demo/updates")).body as { updateIds: string[] };
    for (const id of updateIds) {
      const res = await raw(h, `/clusters/demo/updates/${id}`);
      problems.push(
        ...conformance(
          eksModel ?? { operations: {}, shapes: {} },
          "DescribeUpdateResponse",
          res.body,
          "DescribeUpdate",
        ),
      );
    }
    // Errors: the body of each error type must fit that error's shape.
    const errors: [string, RequestInit?][] = [
      ["/clusters/nope"],
      ["/clusters/demo/updates", json({ version: "1.35" })],
      ["/clusters/demo/node-groups/general/update-version", json({ version: "1.31" })],
    ];
    for (const [path, init] of errors) {
      const res = await raw(h, path, init);
      const type = res.headers.get("x-amzn-errortype") ?? "";
      assert.ok(eksModel?.shapes[type], `error type ${type} exists in the model`);
      problems.push(
        ...conformance(eksModel ?? { operations: {}, shapes: {} }, type, res.body, `${path} -> ${type}`),
      );
    }
    assert.deepEqual(problems, []);
  });

  it("SSM answers fit GetParameterResult and GetParametersResult", async () => {
    const call = async (target: string, body: unknown) =>
      raw(h, "/", {
        method: "POST",
        headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AmazonSSM.${target}` },
        body: JSON.stringify(body),
      });
    const name =
      "/aws/service/eks/optimized-ami/1.30/amazon-linux-2023/x86_64/standard/recommended/release_version";
    const one = await call("GetParameter", { Name: name });
    const many = await call("GetParameters", { Names: [name, "/nope"] });
    const problems = [
      ...conformance(ssmModel ?? { operations: {}, shapes: {} }, "GetParameterResult", one.body),
      ...conformance(ssmModel ?? { operations: {}, shapes: {} }, "GetParametersResult", many.body),
    ];
    assert.deepEqual(problems, []);
  });
});
