import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GetParameterCommand, GetParametersCommand } from "@aws-sdk/client-ssm";
import { Catalog } from "../../emulator/src/index";
import { demoSeed, type Harness, raw, rejectsWith, startHarness, stopHarness } from "../support/emulator";

const catalog = Catalog.default();

describe("SSM public AMI parameters", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(demoSeed());
  });
  after(() => stopHarness(h));

  const get = async (Name: string) => (await h.ssm.send(new GetParameterCommand({ Name }))).Parameter;

  it("serves the newest release of each family at the documented paths", async () => {
    const al2 = await get("/aws/service/eks/optimized-ami/1.31/amazon-linux-2/recommended/release_version");
    assert.equal(al2?.Value, catalog.latestRelease("AL2", "1.31"));
    assert.equal(al2?.Type, "String");
    assert.equal(al2?.DataType, "text");
    assert.ok(al2?.LastModifiedDate instanceof Date);
    assert.equal(
      al2?.ARN,
      "arn:aws:ssm:us-east-1::parameter/aws/service/eks/optimized-ami/1.31/amazon-linux-2/recommended/release_version",
    );

    const al2023 = await get(
      "/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/arm64/standard/recommended/release_version",
    );
    assert.equal(al2023?.Value, catalog.latestRelease("AL2023", "1.33"));
    const nvidia = await get(
      "/aws/service/eks/optimized-ami/1.32/amazon-linux-2023/x86_64/nvidia/recommended/release_version",
    );
    assert.equal(nvidia?.Value, catalog.latestRelease("AL2023", "1.32"));

    const br = await get("/aws/service/bottlerocket/aws-k8s-1.30/x86_64/latest/image_version");
    assert.equal(br?.Value, catalog.latestRelease("BOTTLEROCKET", "1.30"));
    assert.match(
      (await get("/aws/service/bottlerocket/aws-k8s-1.30-nvidia/arm64/latest/image_id"))?.Value ?? "",
      /^ami-[0-9a-f]{17}$/,
    );

    const recommended = await get("/aws/service/eks/optimized-ami/1.30/amazon-linux-2-arm64/recommended");
    const json = JSON.parse(recommended?.Value ?? "{}");
    assert.equal(json.release_version, catalog.latestRelease("AL2", "1.30"));
    assert.match(json.image_id, /^ami-/);
    assert.match(json.image_name, /^amazon-eks-arm64-node-1\.30-v\d{8}$/);
    const imageId = await get(
      "/aws/service/eks/optimized-ami/1.30/amazon-linux-2-arm64/recommended/image_id",
    );
    assert.equal(imageId?.Value, json.image_id);

    const win = await get(
      "/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-1.31",
    );
    assert.equal(JSON.parse(win?.Value ?? "{}").release_version, catalog.latestRelease("WINDOWS", "1.31"));
  });

  it("has no AL2 parameters after 1.32: ParameterNotFound with no message, as real SSM", async () => {
    const name = "/aws/service/eks/optimized-ami/1.33/amazon-linux-2/recommended/release_version";
    await rejectsWith(h.ssm.send(new GetParameterCommand({ Name: name })), "ParameterNotFound");
    const wire = await raw(h, "/", {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.GetParameter" },
      body: JSON.stringify({ Name: name }),
    });
    assert.equal(wire.status, 400);
    assert.deepEqual(wire.body, { __type: "ParameterNotFound" });
  });

  it("GetParameters answers up to 10 names, sorted, with the unknown ones in InvalidParameters", async () => {
    const names = ["1.28", "1.29", "1.30", "1.31", "1.32"].map(
      (m) =>
        `/aws/service/eks/optimized-ami/${m}/amazon-linux-2023/x86_64/standard/recommended/release_version`,
    );
    const missing =
      "/aws/service/eks/optimized-ami/1.40/amazon-linux-2023/x86_64/standard/recommended/release_version";
    const out = await h.ssm.send(new GetParametersCommand({ Names: [...names].reverse().concat(missing) }));
    assert.deepEqual(
      out.Parameters?.map((p) => p.Name),
      names,
    );
    assert.deepEqual(
      out.Parameters?.map((p) => p.Value),
      ["1.28", "1.29", "1.30", "1.31", "1.32"].map((m) => catalog.latestRelease("AL2023", m)),
    );
    assert.deepEqual(out.InvalidParameters, [missing]);
    const eleven = Array.from({ length: 11 }, (_, i) => `${names[0]}-${i}`);
    await rejectsWith(
      h.ssm.send(new GetParametersCommand({ Names: eleven })),
      "ValidationException",
      /length less than or equal to 10/,
    );
  });

  it("a seed's extra release becomes the latest where it is newest", async () => {
    const h2 = await startHarness(
      demoSeed({ catalog: { amiReleases: { AL2023: { "1.31": ["1.31.99-20991231"] } } } }),
    );
    try {
      const p = await h2.ssm.send(
        new GetParameterCommand({
          Name: "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/release_version",
        }),
      );
      assert.equal(p.Parameter?.Value, "1.31.99-20991231");
    } finally {
      await stopHarness(h2);
    }
  });
});
