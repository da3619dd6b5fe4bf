import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createClients, destroyClients } from "../../providers/engine/src/index";
import { loopbackOnly } from "../../providers/engine/src/clients";

describe("SDK clients", () => {
  it("dummy credentials only when every endpoint is on this machine", () => {
    const both = (url: string) => ({ eks: url, ssm: url });
    for (const url of [
      "http://127.0.0.1:4599",
      "http://localhost:4599",
      "http://[::1]:4599",
      "http://127.8.9.10",
    ]) {
      assert.equal(loopbackOnly(both(url)), true, url);
    }
    for (const endpoints of [
      undefined,
      both("https://eks.eu-west-1.amazonaws.com"),
      both("http://10.0.0.5:4599"),
      both("http://127.0.0.1.example.com"),
      { eks: "http://127.0.0.1:4599" },
      { eks: "http://127.0.0.1:4599", ssm: "https://ssm.eu-west-1.amazonaws.com" },
    ]) {
      assert.equal(loopbackOnly(endpoints), false, JSON.stringify(endpoints));
    }
  });

  it("uses them for the emulator, and the default chain otherwise", async () => {
    const local = createClients({
      region: "us-east-1",
      endpoints: { eks: "http://127.0.0.1:1", ssm: "http://127.0.0.1:1" },
    });
    const creds = await local.eks.config.credentials();
    assert.equal(creds.accessKeyId, "local-emulator");
    destroyClients(local);
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "AKIAFROMTHEENVIRONMENT",
      AWS_SECRET_ACCESS_KEY: "from-env",
    });
    try {
      const remote = createClients({ region: "us-east-1" });
      assert.equal((await remote.eks.config.credentials()).accessKeyId, "AKIAFROMTHEENVIRONMENT");
      destroyClients(remote);
    } finally {
      process.env = saved;
    }
  });
});
