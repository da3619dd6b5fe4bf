import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { type Emulator, loadSeedFile, startEmulator } from "../../emulator/src/index";
import { requireAwsCli } from "../support/aws-cli";
import { DUMMY_CREDENTIALS, demoSeed } from "../support/emulator";
import { ROOT } from "../support/provider";

const exec = promisify(execFile);

const awsCli = requireAwsCli();

/**
 * The commands of the EKS guides this product automates, run with the AWS CLI v1 (botocore: a
 * second client, written by other people, parsing by the official model) against the emulator.
 */
describe(
  "the guides' AWS CLI commands against the emulator",
  {
    skip: awsCli.skip,
  },
  () => {
    let emulator: Emulator;
    before(async () => {
      emulator = await startEmulator({ seed: demoSeed({ timeScale: 0.0005 }) });
    });
    after(() => emulator.stop());

    const aws = async (...args: string[]) => {
      const { stdout } = await exec(
        "aws",
        [...args, "--endpoint-url", emulator.url, "--region", "us-east-1", "--output", "json"],
        {
          env: {
            ...process.env,
            AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
            AWS_PAGER: "",
            AWS_MAX_ATTEMPTS: "1",
          },
        },
      );
      return stdout.trim() ? JSON.parse(stdout) : undefined;
    };

    it("aws sts get-caller-identity names the seed's account and the caller's access key", async () => {
      assert.deepEqual(await aws("sts", "get-caller-identity"), {
        UserId: DUMMY_CREDENTIALS.accessKeyId,
        Account: "111122223333",
        Arn: "arn:aws:iam::111122223333:user/emulator",
      });
    });

    it("the EKS docs' query for an add-on's default version gives exactly one version", async () => {
      const defaults = await aws(
        "eks",
        "describe-addon-versions",
        "--kubernetes-version",
        "1.30",
        "--addon-name",
        "coredns",
        "--query",
        "addons[].addonVersions[?compatibilities[?defaultVersion==`true`]].addonVersion",
      );
      assert.deepEqual(defaults, [[emulator.world.catalog.defaultAddonVersion("coredns", "1.30")]]);
    });

    it("aws ssm get-parameter --query Parameter.Value for the latest AMI release", async () => {
      const value = await aws(
        "ssm",
        "get-parameter",
        "--name",
        "/aws/service/eks/optimized-ami/1.31/amazon-linux-2/recommended/release_version",
        "--query",
        "Parameter.Value",
      );
      assert.equal(value, emulator.world.catalog.latestRelease("AL2", "1.31"));
    });

    it("update-cluster-version, describe-update, update-nodegroup-version, wait nodegroup-active", async () => {
      const { update } = await aws(
        "eks",
        "update-cluster-version",
        "--name",
        "demo",
        "--kubernetes-version",
        "1.30",
      );
      assert.equal(update.status, "InProgress");
      // Polled as the guide does until it ends; an update still InProgress after the bound fails.
      let status = "InProgress";
      for (let i = 0; i < 200 && status === "InProgress"; i++)
        status = (await aws("eks", "describe-update", "--name", "demo", "--update-id", update.id)).update
          .status;
      assert.equal(status, "Successful");
      const ng = await aws(
        "eks",
        "update-nodegroup-version",
        "--cluster-name",
        "demo",
        "--nodegroup-name",
        "general",
      );
      assert.equal(ng.update.params.find((p: { type: string }) => p.type === "Version").value, "1.30");
      // The waiter sleeps 30 real seconds between polls: let the update finish before its first poll.
      emulator.advanceClock(60 * 60);
      await aws("eks", "wait", "nodegroup-active", "--cluster-name", "demo", "--nodegroup-name", "general");
      const { nodegroup } = await aws(
        "eks",
        "describe-nodegroup",
        "--cluster-name",
        "demo",
        "--nodegroup-name",
        "general",
      );
      assert.equal(nodegroup.version, "1.30");
      assert.equal(nodegroup.status, "ACTIVE");
    });

    it("tag-resource, list-tags-for-resource, untag-resource on a cluster; describe-cluster shows its tags", async () => {
      const arn = (await aws("eks", "describe-cluster", "--name", "demo")).cluster.arn as string;
      await aws(
        "eks",
        "tag-resource",
        "--resource-arn",
        arn,
        "--tags",
        "eks-upgrade:paused=INC-42,team=platform",
      );
      assert.deepEqual((await aws("eks", "list-tags-for-resource", "--resource-arn", arn)).tags, {
        "eks-upgrade:paused": "INC-42",
        team: "platform",
      });
      await aws("eks", "untag-resource", "--resource-arn", arn, "--tag-keys", "eks-upgrade:paused", "nosuch");
      assert.deepEqual((await aws("eks", "describe-cluster", "--name", "demo")).cluster.tags, {
        team: "platform",
      });
      await assert.rejects(
        aws("eks", "tag-resource", "--resource-arn", arn, "--tags", "aws:owner=x"),
        /BadRequestException.*aws: prefix is reserved/,
      );
      await assert.rejects(
        aws(
          "eks",
          "list-tags-for-resource",
          "--resource-arn",
          arn.replace(":cluster/demo", ":cluster/nosuch"),
        ),
        /NotFoundException/,
      );
    });

    it("a refusal reaches the CLI as the EKS error with its message", async () => {
      await assert.rejects(
        aws("eks", "update-cluster-version", "--name", "demo", "--kubernetes-version", "1.33"),
        (e: Error & { stderr: string }) => {
          assert.match(
            e.stderr,
            /InvalidParameterException.*Unsupported Kubernetes minor version update from 1\.30 to 1\.33/,
          );
          return true;
        },
      );
    });
  },
);

/** The README's emulator example, as a newcomer pastes it: its export line and its aws commands. */
describe("the README's AWS CLI example against the emulator", { skip: awsCli.skip }, () => {
  let emulator: Emulator;
  before(async () => {
    emulator = await startEmulator({ seed: loadSeedFile(join(ROOT, "emulator", "seeds", "demo.json")) });
  });
  after(() => emulator.stop());

  it("runs as written: the export line is all the environment it needs", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const block = readme.slice(
      readme.indexOf("npm run emulator   "),
      readme.indexOf("curl http://127.0.0.1:4599/_emulator/state"),
    );
    const lines = block.replace(/\\\n\s*/g, "").split("\n");
    const exported = lines.find((l) => l.startsWith("export "));
    assert.ok(exported, "the example exports the credentials and the region");
    // Only what the example sets (and PATH to find aws): no region or credentials from this machine.
    const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: "/nonexistent", AWS_PAGER: "" };
    for (const pair of exported.slice("export ".length).trim().split(/\s+/)) {
      const [k, v] = pair.split("=");
      if (k && v !== undefined) env[k] = v;
    }
    const commands = lines.filter((l) => l.startsWith("aws "));
    assert.ok(commands.length >= 3, commands.join("\n"));
    const port = new URL(emulator.url).port;
    for (const command of commands) {
      const args = command.replace("127.0.0.1:4599", `127.0.0.1:${port}`).split(/\s+/).slice(1);
      const { stdout } = await exec("aws", args, { env });
      assert.ok(stdout.length > 0, command);
    }
    assert.equal(
      emulator
        .state()
        .clusters[0]?.updates.at(-1)
        ?.params.find((p) => p.type === "Version")?.value,
      "1.34",
    );
  });
});
