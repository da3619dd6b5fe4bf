import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { USER_AGENT } from "../../providers/engine/src/clients";
import { requireKubernetes } from "../support/kubernetes";

/**
 * Runs after the whole suite (npm run test:final), like the IAM policy check: every Kubernetes call
 * the product made with an EKS token in any test — read from the API servers' audit logs,
 * recorded by the emulators — must be allowed by docs/kubernetes-rbac.yaml, and the ClusterRole
 * must allow nothing the product never calls. (The suites run the engine with exactly that
 * role: a call outside it would have failed them.)
 */
const ROOT = join(__dirname, "..", "..");
const USAGE = process.env.EKS_UPGRADE_API_USAGE ?? join(ROOT, ".build", "api-usage.txt");
const toolchain = requireKubernetes();

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

describe(
  "docs/kubernetes-rbac.yaml is the least privilege the upgrade needs inside the cluster",
  { skip: "skip" in toolchain ? toolchain.skip : false },
  () => {
    it("allows exactly the calls the product makes across the test suite, to the group the EKS token maps to", () => {
      assert.ok(existsSync(USAGE), `${USAGE} is missing: run the suite first (npm test records it)`);
      const used = new Set<string>();
      for (const line of readFileSync(USAGE, "utf8").split("\n").filter(Boolean)) {
        const [service, operation, ...ua] = line.split(" ");
        if (service === "kubernetes" && ua.join(" ").includes(USER_AGENT.split("/")[0] ?? ""))
          used.add(operation ?? "");
      }
      const docs = parseAllDocuments(readFileSync(join(ROOT, "docs", "kubernetes-rbac.yaml"), "utf8")).map(
        (d) => d.toJS() as { kind: string; rules?: Rule[]; subjects?: { kind: string; name: string }[] },
      );
      const role = docs.find((d) => d.kind === "ClusterRole");
      const binding = docs.find((d) => d.kind === "ClusterRoleBinding");
      assert.deepEqual(binding?.subjects, [
        { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "eks-upgrade" },
      ]);
      const allowed = new Set(
        (role?.rules ?? []).flatMap((r) =>
          r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${v}:${g}/${res}`))),
        ),
      );
      assert.ok(used.size >= 3, `only ${used.size} product calls recorded: ${[...used].join(", ")}`);
      assert.deepEqual([...used].filter((c) => !allowed.has(c)).sort(), [], "called but not allowed");
      assert.deepEqual([...allowed].filter((c) => !used.has(c)).sort(), [], "allowed but never called");
    });
  },
);
