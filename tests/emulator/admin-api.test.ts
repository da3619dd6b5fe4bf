import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  DescribeClusterCommand,
  DescribeUpdateCommand,
  UpdateClusterVersionCommand,
} from "@aws-sdk/client-eks";
import { type Harness, raw, rejectsWith, startHarness, stopHarness } from "../support/emulator";

describe("admin API under /_emulator/", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(undefined, { maxAttempts: 1 });
  });
  after(() => stopHarness(h));

  const post = (path: string, body: unknown) =>
    raw(h, path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("state, audit, faults, clock and reset work over HTTP and are not audited themselves", async () => {
    const state = await raw(h, "/_emulator/state");
    assert.equal(state.status, 200);
    const clusters = state.body.clusters as { name: string; version: string }[];
    assert.deepEqual(
      clusters.map((c) => [c.name, c.version]),
      [["demo", "1.29"]],
    );

    const fault = await post("/_emulator/faults", { kind: "throttle", count: 1 });
    assert.equal(fault.status, 200);
    assert.equal(typeof fault.body.id, "number");
    assert.equal(((await raw(h, "/_emulator/faults")).body.faults as unknown[]).length, 1);
    await rejectsWith(h.eks.send(new DescribeClusterCommand({ name: "demo" })), "ThrottlingException");

    const { update } = await h.eks.send(new UpdateClusterVersionCommand({ name: "demo", version: "1.30" }));
    const clock = await post("/_emulator/clock", { advanceSeconds: 600 });
    assert.equal(clock.status, 200);
    assert.equal((await h.eks.send(new DescribeClusterCommand({ name: "demo" }))).cluster?.version, "1.30");

    const audit = (await raw(h, "/_emulator/audit")).body.entries as {
      operation: string;
      status: number;
      updateId?: string;
      mutating: boolean;
    }[];
    assert.deepEqual(
      audit.map((e) => [e.operation, e.status, e.mutating]),
      [
        ["DescribeCluster", 429, false],
        ["UpdateClusterVersion", 200, true],
        ["DescribeCluster", 200, false],
      ],
    );
    assert.equal(audit[1]?.updateId, update?.id);
    const since = (await raw(h, "/_emulator/audit?since=2")).body.entries as unknown[];
    assert.equal(since.length, 1);

    assert.equal((await post("/_emulator/reset", {})).status, 200);
    assert.equal((await h.eks.send(new DescribeClusterCommand({ name: "demo" }))).cluster?.version, "1.29");
    assert.equal(
      ((await raw(h, "/_emulator/audit")).body.entries as unknown[]).length,
      1,
      "reset starts a new audit log",
    );
    assert.equal((await raw(h, "/_emulator/audit", { method: "DELETE" })).status, 200);
    assert.equal(((await raw(h, "/_emulator/audit")).body.entries as unknown[]).length, 0);
  });

  it("a paused clock holds an update in progress; advancing still moves it; resumed, time goes on from there", async () => {
    await post("/_emulator/reset", {});
    const paused = await post("/_emulator/clock", { paused: true });
    assert.equal(paused.body.paused, true);
    const { update } = await h.eks.send(new UpdateClusterVersionCommand({ name: "demo", version: "1.30" }));
    // 50 real ms are 50 simulated seconds at this seed's timeScale (0.001): a running clock moves.
    await new Promise((r) => setTimeout(r, 50));
    const held = await raw(h, "/_emulator/clock");
    assert.equal(held.body.now, paused.body.now, "no simulated time passes while paused");
    const described = async () =>
      (await h.eks.send(new DescribeUpdateCommand({ name: "demo", updateId: update?.id }))).update?.status;
    assert.equal(await described(), "InProgress");
    const advanced = await post("/_emulator/clock", { advanceSeconds: 600, paused: false });
    assert.equal(advanced.body.paused, false);
    assert.ok(Number(advanced.body.now) >= Number(paused.body.now) + 600_000);
    assert.equal(await described(), "Successful");
    await post("/_emulator/reset", {});
  });

  it("refuses a bad admin request with a message naming the field", async () => {
    const bad = await post("/_emulator/faults", { kind: "serverError", status: 418 });
    assert.equal(bad.status, 400);
    assert.match(String(bad.body.error), /status/);
    const clock = await post("/_emulator/clock", { advanceSeconds: -5 });
    assert.equal(clock.status, 400);
    assert.match(String(clock.body.error), /advanceSeconds/);
    const pause = await post("/_emulator/clock", { paused: "yes" });
    assert.equal(pause.status, 400);
    assert.match(String(pause.body.error), /^paused: must be true or false/);
    const empty = await post("/_emulator/clock", {});
    assert.equal(empty.status, 400);
    assert.match(String(empty.body.error), /advanceSeconds or paused/);
    const seed = await post("/_emulator/reset", { clusters: [{ name: "x", version: "nope" }] });
    assert.equal(seed.status, 400);
    assert.match(String(seed.body.error), /clusters\[0\]\.version/);
    assert.equal((await raw(h, "/_emulator/nothing")).status, 404);
  });

  it("binds 127.0.0.1 only", () => {
    assert.match(h.emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
