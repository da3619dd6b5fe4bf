import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { USER_AGENT } from "../../providers/engine/src/clients";
import { PAUSE_TAGS } from "../../providers/engine/src/pause";

/**
 * Runs after the whole suite (npm run test:final): every AWS operation the product called in any
 * test — calls carrying the engine's user agent, as recorded by the emulators — must be granted by
 * docs/iam-policy.json, and the policy must grant nothing the product never calls.
 */
const ROOT = join(__dirname, "..", "..");
const USAGE = process.env.EKS_UPGRADE_API_USAGE ?? join(ROOT, ".build", "api-usage.txt");

describe("docs/iam-policy.json is the least privilege the upgrade needs", () => {
  it("grants exactly the operations the product calls across the test suite", () => {
    assert.ok(existsSync(USAGE), `${USAGE} is missing: run the suite first (npm test records it)`);
    const used = new Set<string>();
    const others = new Set<string>();
    for (const line of readFileSync(USAGE, "utf8").split("\n").filter(Boolean)) {
      const [service, operation, ...ua] = line.split(" ");
      // The Kubernetes calls have their own check (kubernetes-rbac.final.ts).
      if (service === "kubernetes") continue;
      const action = `${service}:${operation}`;
      if (ua.join(" ").includes(USER_AGENT.split("/")[0] ?? "")) used.add(action);
      else others.add(action);
    }
    const policy = JSON.parse(readFileSync(join(ROOT, "docs", "iam-policy.json"), "utf8")) as {
      Statement: { Action: string | string[] }[];
    };
    const granted = new Set(
      policy.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])),
    );
    assert.ok(used.size >= 10, `only ${used.size} product operations recorded: ${[...used].join(", ")}`);
    assert.deepEqual([...used].filter((a) => !granted.has(a)).sort(), [], "called but not granted");
    assert.deepEqual([...granted].filter((a) => !used.has(a)).sort(), [], "granted but never called");
    assert.ok(others.size > 0, "the tests' own direct calls are told apart by their user agent");
  });

  it("the tag actions (pause, resume) reach the pause's own tag keys and no other", () => {
    const policy = JSON.parse(readFileSync(join(ROOT, "docs", "iam-policy.json"), "utf8")) as {
      Statement: {
        Action: string[];
        Resource: string;
        Condition?: Record<string, Record<string, string[]>>;
      }[];
    };
    const tagging = policy.Statement.filter((s) => s.Action.some((a) => /^eks:(Un)?TagResource$/.test(a)));
    assert.equal(tagging.length, 1);
    const statement = tagging[0]!;
    assert.equal(statement.Resource, "arn:aws:eks:*:*:cluster/*", "clusters only");
    const patterns = statement.Condition?.["ForAllValues:StringLike"]?.["aws:TagKeys"] ?? [];
    // IAM's StringLike: * matches any run of characters, ? one character.
    const like = (key: string) =>
      patterns.some((p) =>
        new RegExp(
          `^${p
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        ).test(key),
      );
    assert.deepEqual(
      Object.values(PAUSE_TAGS).filter((k) => !like(k)),
      [],
      "every pause tag is allowed",
    );
    for (const other of ["Name", "team", "kubernetes.io/cluster/demo", "eks-upgrade:owner"])
      assert.equal(like(other), false, `${other} is not the pause's to change`);
  });
});
