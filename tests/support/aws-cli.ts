import { execFileSync } from "node:child_process";
import { optionalTool } from "./optional-tool";

/** Checks that run the AWS CLI v1 (botocore: a second client, by other people); see optional-tool.ts. */
export function requireAwsCli(): { skip: string } | { skip: false } {
  let found: true | undefined;
  try {
    execFileSync("aws", ["--version"], { stdio: "ignore" });
    found = true;
  } catch {
    found = undefined;
  }
  const r = optionalTool("aws-cli", found, "the aws CLI (v1, with botocore) is not installed");
  return "value" in r ? { skip: false } : r;
}
