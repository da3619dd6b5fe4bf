import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Observed, parseSpec, plan } from "../../providers/engine/src/index";
import { bareCluster as cluster, CATALOG } from "../support/fleet-arbitrary";

/*
 * Support windows in the plan, from what EKS reports (DescribeClusterVersions, here the real
 * catalog's dates as of 2026-12-02): 1.28-1.31 past extended support, 1.32-1.34 in extended
 * support (1.34 since that very day), 1.35 and 1.36 in standard support.
 */
const planned = (observed: Observed, clusterVersion: string) =>
  plan(parseSpec({ clusterName: "c", region: "us-east-1", clusterVersion }), observed, CATALOG);

const warnings = (observed: Observed, to: string) =>
  planned(observed, to).warnings.map((w) => [w.code, w.message]);

describe("support windows in the plan", () => {
  it("lists each minor of the way with its support status and dates", () => {
    assert.deepEqual(
      planned(cluster("1.33", "EXTENDED"), "1.35").support.map((v) => [
        v.minor,
        v.status,
        v.endOfStandardSupport,
      ]),
      [
        ["1.33", "EXTENDED_SUPPORT", "2026-07-29"],
        ["1.34", "EXTENDED_SUPPORT", "2026-12-02"],
        ["1.35", "STANDARD_SUPPORT", "2027-03-27"],
      ],
    );
  });

  it("a target in standard support through a minor in extended support: one warning about the way", () => {
    assert.deepEqual(warnings(cluster("1.33", "EXTENDED"), "1.35"), [
      [
        "EKSUP107",
        "the way to 1.35 passes 1.34 (extended support until 2027-12-02): the cluster runs each for one control-plane step only",
      ],
    ]);
  });

  it("a target in extended support costs extra, and with a STANDARD policy EKS moves it on by itself", () => {
    assert.deepEqual(warnings(cluster("1.32", "EXTENDED"), "1.33"), [
      [
        "EKSUP105",
        "Kubernetes 1.33 is in extended support (standard support ended 2026-07-29, extended ends 2027-07-29): extended support is billed per cluster hour",
      ],
    ]);
    assert.match(
      warnings(cluster("1.32", "STANDARD"), "1.33")[0]?.[1] ?? "",
      /with this cluster's upgrade policy STANDARD, EKS upgrades it to the next minor by itself$/,
    );
  });

  it("a target past its extended support is named with the date it ended", () => {
    assert.deepEqual(warnings(cluster("1.30", "EXTENDED"), "1.31")[0], [
      "EKSUP106",
      "Kubernetes 1.31 reached the end of extended support on 2026-11-26: EKS no longer supports it and upgrades such clusters by itself",
    ]);
  });

  it("a cluster left on a minor EKS will upgrade by itself within 60 days says when", () => {
    // STANDARD policy on 1.33: its standard support ended 2026-07-29, so EKS may upgrade it at any time.
    assert.deepEqual(warnings(cluster("1.33", "STANDARD"), "1.33"), [
      [
        "EKSUP108",
        "since 2026-07-29, EKS upgrades this cluster from 1.33 to the next minor by itself: its upgrade policy is STANDARD and 1.33's standard support has ended",
      ],
    ]);
    // EXTENDED policy on 1.32: extended support ends 2027-03-23, more than 60 days away.
    assert.deepEqual(warnings(cluster("1.32", "EXTENDED"), "1.32"), []);
    // 60 days before that date, the warning starts.
    const late = { ...cluster("1.32", "EXTENDED"), observedAt: Date.parse("2027-02-01T00:00:00Z") };
    assert.deepEqual(warnings(late, "1.32"), [
      [
        "EKSUP108",
        "from 2027-03-23 (in 50 days), EKS upgrades this cluster from 1.32 to the next minor by itself: its upgrade policy is EXTENDED and 1.32's extended support ends then",
      ],
    ]);
    // A plan that moves the control plane off the minor does not warn about staying on it.
    assert.deepEqual(
      warnings(cluster("1.33", "STANDARD"), "1.36").map(([code]) => code),
      ["EKSUP107"],
    );
  });
});
