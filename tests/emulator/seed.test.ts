import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import Ajv2020 from "ajv/dist/2020";
import { loadSeedFile, parseSeed, SeedError, seedJsonSchema, startEmulator } from "../../emulator/src/index";
import { demoSeed, ISSUE_EXAMPLE_SEED } from "../support/emulator";

const root = join(__dirname, "..", "..");
const committedSchema = JSON.parse(readFileSync(join(root, "emulator", "seed.schema.json"), "utf8"));

const refused = (seed: unknown, message: RegExp) =>
  assert.throws(
    () => parseSeed(seed),
    (e: Error) => e instanceof SeedError && message.test(e.message),
  );

describe("seed format", () => {
  it("emulator/seed.schema.json is generated from the seed definitions (run npm run schema:seed after changing them)", () => {
    assert.deepEqual(committedSchema, JSON.parse(JSON.stringify(seedJsonSchema())));
  });

  it("the JSON Schema accepts the issue's example seed and the shipped demo seed, and rejects bad ones", () => {
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(committedSchema);
    assert.equal(validate(ISSUE_EXAMPLE_SEED), true, JSON.stringify(validate.errors));
    const demo = JSON.parse(readFileSync(join(root, "emulator", "seeds", "demo.json"), "utf8"));
    assert.equal(validate(demo), true, JSON.stringify(validate.errors));
    assert.equal(validate({ clusters: [{ name: "x", version: "1.3.1" }] }), false);
    assert.equal(
      validate({ clusters: [{ name: "x", version: "1.30", nodegroups: [{ name: "a", amiType: "AL3" }] }] }),
      false,
    );
    assert.equal(validate({ clusters: [], colour: "blue" }), false);
  });

  it("loads the issue's example seed", async () => {
    const emulator = await startEmulator({ seed: parseSeed(ISSUE_EXAMPLE_SEED) });
    try {
      const state = emulator.state();
      assert.equal(emulator.world.seed.timeScale, 0.001);
      assert.deepEqual(
        state.clusters[0]?.nodegroups.map((n) => [
          n.name,
          n.amiType,
          n.version,
          n.releaseVersion,
          n.desiredSize,
        ]),
        [
          ["general", "AL2023_x86_64_STANDARD", "1.29", "1.29.0-20240213", 3],
          ["legacy", "AL2_x86_64", "1.29", "1.29.0-20240129", 2],
          ["custom", "CUSTOM", "1.29", "ami-0custom000000000", 2],
        ],
      );
      assert.deepEqual(
        state.clusters[0]?.addons.map((a) => a.version),
        ["v1.16.0-eksbuild.1", "v1.11.1-eksbuild.4", "v1.29.0-eksbuild.1"],
      );
    } finally {
      await emulator.stop();
    }
  });

  it("refuses a malformed seed with a message naming the bad field", () => {
    refused(
      { clusters: [{ name: "demo", version: "1.30.2" }] },
      /^invalid seed: clusters\[0\]\.version: must be a Kubernetes minor like "1\.31"$/,
    );
    refused(
      { clusters: [{ name: "demo", version: "v1.30" }] },
      /^invalid seed: clusters\[0\]\.version: must be a Kubernetes minor/,
    );
    refused(
      {
        clusters: [
          {
            name: "demo",
            version: "1.29",
            nodegroups: [{ name: "a" }, { name: "b", amiType: "AL3_x86_64" }],
          },
        ],
      },
      /clusters\[0\]\.nodegroups\[1\]\.amiType: Invalid option/,
    );
    refused({ timeScale: 0 }, /^invalid seed: timeScale: /);
    refused(
      { clusters: [{ name: "demo", version: "1.29", colour: "blue" }] },
      /clusters\[0\]: Unrecognized key: "colour"/,
    );
    refused({ clusters: [{ name: "", version: "1.29" }] }, /clusters\[0\]\.name: must be 1-100 letters/);
    refused(
      {
        clusters: [
          {
            name: "demo",
            version: "1.29",
            nodegroups: [{ name: "c", amiType: "CUSTOM", launchTemplate: { version: "1" } }],
          },
        ],
      },
      /launchTemplate: needs a name or an id/,
    );
  });

  it("refuses a seed that is well-formed but impossible, naming the field", async () => {
    const impossible: [unknown, RegExp][] = [
      [
        { clusters: [{ name: "demo", version: "1.99" }] },
        /^clusters\[0\]\.version: unknown Kubernetes version "1\.99"/,
      ],
      [
        { clusters: [{ name: "demo", version: "1.29", nodegroups: [{ name: "n", version: "1.30" }] }] },
        /^clusters\[0\]\.nodegroups\[0\]\.version: 1\.30 is newer than the cluster's 1\.29/,
      ],
      [
        { clusters: [{ name: "demo", version: "1.29", nodegroups: [{ name: "c", amiType: "CUSTOM" }] }] },
        /nodegroups\[0\]\.launchTemplate: a CUSTOM node group needs a launch template/,
      ],
      [
        {
          clusters: [{ name: "demo", version: "1.33", nodegroups: [{ name: "old", amiType: "AL2_x86_64" }] }],
        },
        /nodegroups\[0\]\.amiType: AL2_x86_64 has no AMI release for Kubernetes 1\.33/,
      ],
      [
        {
          clusters: [
            { name: "demo", version: "1.30", nodegroups: [{ name: "n", releaseVersion: "1.29.0-20240213" }] },
          ],
        },
        /^clusters\[0\]\.nodegroups\[0\]\.releaseVersion: 1\.29\.0-20240213 is not among the AL2023 releases the catalog lists for Kubernetes 1\.30; add it, in published order, to catalog\.amiReleases\.AL2023\["1\.30"\]$/,
      ],
      [
        {
          clusters: [
            {
              name: "demo",
              version: "1.34",
              nodegroups: [{ name: "n", amiType: "BOTTLEROCKET_x86_64", releaseVersion: "1.60.0-20260101" }],
            },
          ],
        },
        /^clusters\[0\]\.nodegroups\[0\]\.releaseVersion: 1\.60\.0-20260101 is not among the BOTTLEROCKET releases the catalog lists for Kubernetes 1\.34/,
      ],
      [
        {
          clusters: [
            { name: "a", version: "1.29" },
            { name: "a", version: "1.30" },
          ],
        },
        /^clusters\[1\]\.name: duplicate cluster "a"/,
      ],
      [
        { clusters: [{ name: "demo", version: "1.29", addons: { coredns: "latest" } }] },
        /clusters\[0\]\.addons\.coredns: "latest" is not an add-on version/,
      ],
      [
        {
          clusters: [
            {
              name: "demo",
              version: "1.35",
              workloads: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }],
            },
          ],
        },
        /^clusters\[0\]\.workloads: workloads need a Kubernetes API server; set "kubernetes": true at the top of the seed$/,
      ],
      [
        {
          clusters: [
            {
              name: "demo",
              version: "1.35",
              nodes: [{ pool: "karpenter", name: "default", kubernetesVersion: "1.32" }],
            },
          ],
        },
        /^clusters\[0\]\.nodes: nodes need a Kubernetes API server; set "kubernetes": true at the top of the seed$/,
      ],
    ];
    for (const [seed, message] of impossible) {
      await assert.rejects(
        startEmulator({ seed: seed as never }),
        (e: Error) => e instanceof SeedError && message.test(e.message),
      );
    }
  });

  it("a workload names its apiVersion, kind and metadata.name", () => {
    refused(
      {
        kubernetes: true,
        clusters: [{ name: "x", version: "1.35", workloads: [{ kind: "Pod", metadata: {} }] }],
      },
      /^invalid seed: clusters\[0\]\.workloads\[0\]\.apiVersion: .*; clusters\[0\]\.workloads\[0\]\.metadata\.name: /,
    );
  });

  it("workloadFiles: manifests read relative to the seed file; the shipped Kubernetes seed is the demo seed plus the tool's RBAC and the demo's workloads", () => {
    const seeds = join(root, "emulator", "seeds");
    const kubernetes = loadSeedFile(join(seeds, "demo-kubernetes.json"));
    const demo = loadSeedFile(join(seeds, "demo.json"));
    assert.equal(kubernetes.kubernetes, true);
    const [cluster] = kubernetes.clusters;
    assert.deepEqual({ ...cluster, workloads: [], nodes: [] }, demo.clusters[0], "the same cluster");
    // Besides, nodes no managed node group runs: a Karpenter NodePool a minor behind the node groups.
    assert.deepEqual(cluster?.nodes, [
      { pool: "karpenter", name: "default", kubernetesVersion: "1.32", count: 2 },
    ]);
    // From the files themselves: every RBAC object of docs/kubernetes-rbac.yaml, then the demo's workloads.
    const rbacKinds = [
      ...readFileSync(join(root, "docs", "kubernetes-rbac.yaml"), "utf8").matchAll(/^kind: (\w+)$/gm),
    ].map((m) => m[1]);
    const workloads = JSON.parse(readFileSync(join(seeds, "demo-workloads.json"), "utf8")) as {
      kind: string;
    }[];
    assert.deepEqual(
      cluster?.workloads.map((w) => w.kind),
      [...rbacKinds, ...workloads.map((w) => w.kind)],
    );
    assert.ok(rbacKinds.includes("ClusterRoleBinding"));
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(committedSchema);
    assert.equal(validate(JSON.parse(readFileSync(join(seeds, "demo-kubernetes.json"), "utf8"))), true);

    // A file that is not there is named with its key; a seed given as an object has no file to read relative to.
    const dir = mkdtempSync(join(tmpdir(), "eks-upgrade-seed-"));
    try {
      const file = join(dir, "seed.json");
      writeFileSync(
        file,
        JSON.stringify({ clusters: [{ name: "a", version: "1.35", workloadFiles: ["nope.yaml"] }] }),
      );
      assert.throws(() => loadSeedFile(file), {
        name: "SeedError",
        message: /^invalid seed: clusters\[0\]\.workloadFiles\[0\]: cannot read nope\.yaml: ENOENT/,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    refused(
      { clusters: [{ name: "a", version: "1.35", workloadFiles: ["x.yaml"] }] },
      /clusters\[0\]\.workloadFiles: files are read from a seed file only/,
    );
  });

  it("a seed that asks for Kubernetes without the toolchain is refused with the command that builds it", async () => {
    const cache = process.env.EKS_UPGRADE_CACHE;
    process.env.EKS_UPGRADE_CACHE = join(root, "no-such-cache");
    try {
      await assert.rejects(
        startEmulator({ seed: { kubernetes: true, clusters: [{ name: "x", version: "1.35" }] } }),
        /^Error: the seed asks for Kubernetes \("kubernetes": true\) but the Kubernetes v1\.36\.3 toolchain is missing: run `npm run kubernetes:install`/,
      );
    } finally {
      if (cache === undefined) delete process.env.EKS_UPGRADE_CACHE;
      else process.env.EKS_UPGRADE_CACHE = cache;
    }
  });

  it("a seed may extend the catalog and change the timing model", async () => {
    const emulator = await startEmulator({
      seed: demoSeed({
        timing: { controlPlaneMinutes: 12 },
        catalog: {
          addons: {
            "my-addon": [{ version: "v0.1.0-eksbuild.1", compatibleWith: ["1.29"], defaultFor: ["1.29"] }],
          },
        },
      }),
    });
    try {
      assert.equal(emulator.world.catalog.defaultAddonVersion("my-addon", "1.29"), "v0.1.0-eksbuild.1");
      assert.equal(
        emulator.world.catalog.defaultAddonVersion("coredns", "1.29"),
        "v1.11.1-eksbuild.4",
        "the built-in catalog stays",
      );
    } finally {
      await emulator.stop();
    }
  });
});
