import { appendFileSync } from "node:fs";

/*
 * The one place that decides whether a suite needing an optional tool (the Pulumi CLI, the
 * Kubernetes toolchain, the AWS CLI, botocore's service models) runs, fails or is skipped. Found:
 * the suite runs, and is counted (the final check prints how many suites ran against each real
 * tool, and in CI fails if one ran none). Missing: in CI, where .ci/run installs every tool, it is
 * a failure; elsewhere the suite is skipped with one line saying how to get the tool.
 */

/** Any non-empty CI variable is CI (GitHub Actions sets "true", other systems "1" or "yes"). */
export const inCI = (): boolean => Boolean(process.env.CI);

export type ToolName = "pulumi" | "kubernetes" | "aws-cli" | "botocore";
export const TOOLS: ToolName[] = ["pulumi", "kubernetes", "aws-cli", "botocore"];

export function optionalTool<T>(
  tool: ToolName,
  found: T | undefined,
  missing: string,
): { value: T; skip: false } | { skip: string } {
  if (found !== undefined) {
    const record = process.env.EKS_UPGRADE_REAL_TOOLS;
    if (record) appendFileSync(record, `${tool} ${process.argv[1] ?? "?"}\n`);
    return { value: found, skip: false };
  }
  if (inCI()) throw new Error(`CI=${process.env.CI}: these checks must run in CI, not skip: ${missing}`);
  return { skip: missing };
}
