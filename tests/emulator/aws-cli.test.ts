import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { type Emulator, startEmulator } from "../../emulator/src/index";
import { requireAwsCli } from "../support/aws-cli";
import { DUMMY_CREDENTIALS, demoSeed } from "../support/emulator";

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
