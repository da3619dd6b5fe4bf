import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type ObservedPod,
  type ObservedWorkload,
  type ObservedWorkloads,
  pauseReasonProblem,
  unhealthyWorkloads,
} from "@eks-upgrade/engine";
import { gateReason } from "../../providers/engine/src/kubernetes/health-gate";
import type { Step } from "@eks-upgrade/engine";

/*
 * The health gate's judgement (workload-health.ts), pure: each expected value is what a person
 * reads off the two snapshots, not a call of the function under test.
 */
const deployment = (name: string, desired: number, ready: number, ns = "shop"): ObservedWorkload => ({
  kind: "Deployment",
  namespace: ns,
  name,
  desired,
  ready,
  selector: { matchLabels: { app: name } },
});
const daemonSet = (name: string, desired: number, ready: number): ObservedWorkload => ({
  ...deployment(name, desired, ready, "kube-system"),
  kind: "DaemonSet",
});
const pod = (app: string, name: string, failing?: string, ns = "shop"): ObservedPod => ({
  namespace: ns,
  name,
  labels: app ? { app } : {},
  phase: "Running",
  mirror: false,
  localVolumes: [],
  createdAt: 0,
  ...(failing ? { failing } : {}),
});
const snapshot = (workloads: ObservedWorkload[], pods: ObservedPod[]): ObservedWorkloads => ({
  workloads,
  pods,
});

describe("the health gate's judgement: what is worse after a step than before", () => {
  const healthy = snapshot(
    [deployment("web", 3, 3), daemonSet("kube-proxy", 4, 4)],
    [pod("web", "web-1"), pod("web", "web-2"), pod("web", "web-3")],
  );

  it("everything back (new pod names after a roll): nothing", () => {
    const after = snapshot(
      [deployment("web", 3, 3), daemonSet("kube-proxy", 4, 4)],
      [pod("web", "web-a"), pod("web", "web-b"), pod("web", "web-c")],
    );
    assert.deepEqual(unhealthyWorkloads(healthy, after), []);
  });

  it("a Deployment whose new pods crash-loop: its ready count and each failing pod", () => {
    const after = snapshot(
      [deployment("web", 3, 1), daemonSet("kube-proxy", 4, 4)],
      [pod("web", "web-a"), pod("web", "web-b", "CrashLoopBackOff"), pod("web", "web-c", "ImagePullBackOff")],
    );
    assert.deepEqual(unhealthyWorkloads(healthy, after), [
      {
        workload: "Deployment shop/web",
        ready: 1,
        wanted: 3,
        failing: ["shop/web-b CrashLoopBackOff", "shop/web-c ImagePullBackOff"],
      },
    ]);
  });

  it("below its ready count with no failing pod (Pending, slow to start) is still not back", () => {
    const after = snapshot([deployment("web", 3, 2), daemonSet("kube-proxy", 4, 4)], []);
    assert.deepEqual(unhealthyWorkloads(healthy, after), [
      { workload: "Deployment shop/web", ready: 2, wanted: 3, failing: [] },
    ]);
  });

  it("what was broken before the step does not fail it: a crash-looping pod then, another now", () => {
    const before = snapshot(
      [deployment("web", 3, 2)],
      [pod("web", "web-1"), pod("web", "web-2", "CrashLoopBackOff")],
    );
    const after = snapshot(
      [deployment("web", 3, 2)],
      [pod("web", "web-a"), pod("web", "web-b", "CrashLoopBackOff")],
    );
    assert.deepEqual(unhealthyWorkloads(before, after), []);
  });

  it("a DaemonSet follows the nodes: fewer nodes after, fewer pods wanted", () => {
    const after = snapshot([deployment("web", 3, 3), daemonSet("kube-proxy", 3, 3)], []);
    assert.deepEqual(unhealthyWorkloads(healthy, after), []);
  });

  it("a workload created during the step is not judged (nothing is known of it before)", () => {
    const after = snapshot(
      [deployment("web", 3, 3), daemonSet("kube-proxy", 4, 4), deployment("new", 2, 0)],
      [pod("new", "new-1", "CrashLoopBackOff")],
    );
    assert.deepEqual(unhealthyWorkloads(healthy, after), []);
  });

  it("a pod no workload owns: failing now after running before is named; one that is new is not", () => {
    const before = snapshot([], [pod("", "batch-1", undefined, "jobs")]);
    const after = snapshot(
      [],
      [pod("", "batch-1", "CreateContainerError", "jobs"), pod("", "batch-2", "CrashLoopBackOff", "jobs")],
    );
    assert.deepEqual(unhealthyWorkloads(before, after), [
      { workload: "Pod jobs/batch-1", ready: 0, wanted: 1, failing: ["jobs/batch-1 CreateContainerError"] },
    ]);
  });

  it("a selector only reaches pods of its own namespace", () => {
    const after = snapshot(
      [deployment("web", 3, 3), daemonSet("kube-proxy", 4, 4)],
      [pod("web", "web-x", "CrashLoopBackOff", "other")],
    );
    assert.deepEqual(unhealthyWorkloads(healthy, after), []);
  });
});

describe("the pause a failed gate leaves on the cluster", () => {
  const step = { id: "nodegroup:general:1.35" } as Step;
  const dns = fc.stringMatching(/^[a-z][a-z0-9-]{0,40}[a-z0-9]$/);

  it("is always a valid EKS tag value (at most 256 characters, only the characters tags take), however many workloads", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kind: fc.constantFrom("Deployment", "StatefulSet", "DaemonSet"),
            ns: dns,
            name: dns,
            ready: fc.nat(50),
            wanted: fc.integer({ min: 1, max: 50 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        (ws) => {
          const reason = gateReason(
            step,
            ws.map((w) => ({
              workload: `${w.kind} ${w.ns}/${w.name}`,
              ready: w.ready,
              wanted: w.wanted,
              failing: [],
            })),
          );
          assert.equal(pauseReasonProblem(reason), undefined, reason);
          assert.ok(reason.startsWith("workloads down after nodegroup:general:1.35: "));
          // The first workload is always named in full.
          assert.ok(
            reason.includes(
              `${ws[0]?.kind} ${ws[0]?.ns}/${ws[0]?.name} ${ws[0]?.ready} of ${ws[0]?.wanted} ready`,
            ),
            reason,
          );
        },
      ),
    );
  });

  it("says how many more when they do not all fit", () => {
    const many = Array.from({ length: 20 }, (_, i) => ({
      workload: `Deployment shop/service-number-${i}`,
      ready: 0,
      wanted: 2,
      failing: [],
    }));
    const reason = gateReason(step, many);
    const named = reason.split(" and ").length - 1;
    assert.match(reason, new RegExp(` and ${20 - named} more$`));
    assert.ok(reason.length <= 256);
  });
});
