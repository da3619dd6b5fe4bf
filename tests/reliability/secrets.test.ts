import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { progressDisplay } from "../../cli/progress";
import { type Emulator, startEmulator } from "../../emulator/src/index";
import { clusterUpgradeProvider as provider } from "../../providers/clusterUpgrade/index";
import { createClients, destroyClients, execute, inspect, parseSpec } from "../../providers/engine/src/index";
import { fleetSeed, TIME_SCALE } from "../support/engine";
import { withEnv } from "../support/env";
import { ProviderHost } from "../support/host";
import { ROOT, serializedProvider } from "../support/provider";

const exec = promisify(execFile);

/** Distinctive credentials: if any of them shows up in an output, it leaked. */
const SECRETS = {
  AWS_ACCESS_KEY_ID: "AKIAZZLEAKTESTKEY001",
  AWS_SECRET_ACCESS_KEY: "leakTestSecret0123456789abcdefghijABCDEFG",
  AWS_SESSION_TOKEN: "IQoJleakTestSessionToken0123456789abcdefghijklmnopqrstuv",
  AWS_REGION: "us-east-1",
};
/** Access key ids (long-term AKIA, temporary ASIA) of any value, ours or not. */
const KEY_ID = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/;

function assertClean(where: string, text: string) {
  for (const [name, value] of Object.entries(SECRETS)) {
    if (name.startsWith("AWS_") && value.length > 16)
      assert.ok(!text.includes(value), `${name} leaked into ${where}`);
  }
  assert.doesNotMatch(text, KEY_ID, `an access key id in ${where}`);
}

describe("no credentials in any output", () => {
  let emulator: Emulator;
  let restore: () => void;
  const endpoints = () => ({ eks: emulator.url, ssm: emulator.url });
  /** ClusterUpgrade's inputs for a 1.29 -> 1.30 upgrade of the emulator's cluster. */
  const providerInputs = (__provider: string) => ({
    clusterName: "demo",
    region: "us-east-1",
    endpoints: endpoints(),
    clusterVersion: "1.30",
    timeScale: TIME_SCALE,
    __provider,
  });
  before(async () => {
    restore = withEnv(SECRETS);
    emulator = await startEmulator({ seed: { ...fleetSeed(), timeScale: TIME_SCALE } });
  });
  after(async () => {
    // The audit log records what was asked, never how it was signed.
    assertClean("the emulator's audit log", JSON.stringify(emulator.audit()));
    await emulator.stop();
    restore();
  });

  it("engine: plan, progress lines, results and failures, with requests signed by those credentials", async () => {
    emulator.reset();
    emulator.injectFault({
      kind: "updateFailure",
      cluster: "demo",
      nodegroup: "general",
      errorCode: "PodEvictionFailure",
    });
    const spec = parseSpec({
      clusterName: "demo",
      region: "us-east-1",
      endpoints: endpoints(),
      clusterVersion: "1.30",
    });
    const clients = createClients(spec, {
      credentials: {
        accessKeyId: SECRETS.AWS_ACCESS_KEY_ID,
        secretAccessKey: SECRETS.AWS_SECRET_ACCESS_KEY,
        sessionToken: SECRETS.AWS_SESSION_TOKEN,
      },
    });
    const lines: string[] = [];
    try {
      const { plan } = await inspect(clients, spec);
      assertClean("the plan", JSON.stringify(plan));
      const display = progressDisplay(false, TIME_SCALE, (l) => lines.push(l));
      const failure = await execute(clients, spec, plan, {
        timeScale: TIME_SCALE,
        onEvent: (e) => display.onEvent(e),
      }).catch((e: Error) => e);
      assert.ok(failure instanceof Error);
      assertClean("the failure", `${failure.message} ${JSON.stringify(failure)}`);
      assertClean("the progress lines", lines.join("\n"));
      assert.ok(lines.length > 5);
    } finally {
      destroyClients(clients);
    }
  });

  it("provider: check, create, read outputs and a failing update's partial state", async () => {
    emulator.reset();
    const inputs = providerInputs("p");
    const checked = await provider.check?.({}, inputs);
    const created = await provider.create(checked?.inputs ?? inputs);
    const read = await provider.read?.(created.id, created.outs);
    emulator.injectFault({ kind: "updateFailure", cluster: "demo", errorCode: "ClusterUnreachable" });
    const failed = await provider
      .update?.(created.id, created.outs, { ...inputs, clusterVersion: "1.31" })
      .catch((e: Error) => e);
    for (const [where, value] of Object.entries({ checked, created, read, failed }))
      assertClean(`provider ${where}`, JSON.stringify(value));
    assert.ok(failed instanceof Error);
  });

  it("provider host: stdout and stderr of a whole run", async () => {
    emulator.reset();
    const host = await ProviderHost.start(SECRETS);
    try {
      await host.configure();
      const inputs = providerInputs(await serializedProvider());
      const checked = await host.check({}, inputs);
      const created = await host.create(checked.inputs);
      assertClean("host outputs", JSON.stringify(created.properties).replace(inputs.__provider, ""));
      assert.ok(host.stdout.length > 5);
      assertClean("host stdout", host.stdout.join("\n"));
      assertClean("host stderr", host.stderr.join("\n"));
    } finally {
      await host.stop();
    }
  });

  it("CLI: status, plan in every format, apply, and a refusal", async () => {
    emulator.reset();
    const run = (...args: string[]) =>
      exec(process.execPath, [join(ROOT, "dist", "cli", "index.js"), ...args], {
        env: { ...process.env, ...SECRETS },
      }).then(
        (r) => `${r.stdout}\n${r.stderr}`,
        (e: { stdout: string; stderr: string }) => `${e.stdout}\n${e.stderr}`,
      );
    const target = ["--cluster", "demo", "--region", "us-east-1", "--endpoint", emulator.url];
    const outputs = [
      await run("status", ...target),
      await run("plan", ...target, "--to", "1.30", "--format", "table"),
      await run("plan", ...target, "--to", "1.30", "--format", "markdown"),
      await run("plan", ...target, "--to", "1.30", "--format", "json"),
      await run("apply", ...target, "--to", "1.30", "--yes", "--time-scale", String(TIME_SCALE)),
      await run("plan", ...target, "--to", "1.28"),
    ];
    assert.match(outputs[4] ?? "", /Total: /);
    outputs.forEach((o, i) => {
      assertClean(`CLI output ${i}`, o);
    });
  });
});
