import { execFileSync } from "node:child_process";

/**
 * Checks that run the AWS CLI v1 (botocore: a second client, by other people). In CI the AWS CLI
 * is part of the machine: its absence is a failure, never a silent skip; elsewhere they are
 * skipped with one line saying why.
 */
export function requireAwsCli(): { skip: string } | { skip: false } {
  try {
    execFileSync("aws", ["--version"], { stdio: "ignore" });
    return { skip: false };
  } catch {
    if (process.env.CI === "true")
      throw new Error("the aws CLI (v1, with botocore) is missing in CI: these checks cannot run");
    return { skip: "the aws CLI is not installed" };
  }
}
