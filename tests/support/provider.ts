import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { DUMMY_CREDENTIALS } from "./emulator";

const exec = promisify(execFile);
export const ROOT = join(__dirname, "..", "..");
const OUT = join(ROOT, ".build", "provider-under-test");

/** The environment the provider runs in: AWS credentials from the environment, never from inputs. */
export const PROVIDER_ENV = {
  AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
  AWS_REGION: "us-east-1",
};

/**
 * Compiles providers/clusterUpgrade with the TypeScript compiler and the project's tsconfig (what
 * Pulumi's ts-node does with a TypeScript program; not esbuild/tsx, whose helpers change what a
 * closure captures). Output goes under the project root so `require` finds node_modules.
 */
export function compileProvider(): string {
  const configPath = join(ROOT, "tsconfig.json");
  const { config } = ts.readConfigFile(configPath, (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const program = ts.createProgram([join(ROOT, "providers", "clusterUpgrade", "index.ts")], {
    ...parsed.options,
    noEmit: false,
    outDir: OUT,
    rootDir: ROOT,
    declaration: false,
    sourceMap: false,
  });
  const result = program.emit();
  const errors = ts.getPreEmitDiagnostics(program).concat(result.diagnostics);
  if (errors.length) {
    throw new Error(
      ts.formatDiagnostics(errors, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => ROOT,
        getNewLine: () => "\n",
      }),
    );
  }
  return join(OUT, "providers", "clusterUpgrade");
}

let cached: Promise<string> | undefined;

/**
 * The `__provider` string: the compiled provider serialized exactly as `pulumi.dynamic.Resource`
 * does (`runtime.serializeFunction(() => provider, { allowSecrets: true })`), in a plain node
 * process with no TypeScript loader.
 */
export function serializedProvider(): Promise<string> {
  cached ??= (async () => {
    const dir = compileProvider();
    mkdirSync(OUT, { recursive: true });
    const script = join(OUT, "serialize.js");
    writeFileSync(
      script,
      `const { runtime } = require("@pulumi/pulumi");
const { clusterUpgradeProvider } = require(${JSON.stringify(join(dir, "provider.js"))});
runtime.serializeFunction(() => clusterUpgradeProvider, { allowSecrets: true })
  .then((sf) => process.stdout.write(JSON.stringify({ text: sf.text })))
  .catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
`,
    );
    const { stdout } = await exec(process.execPath, [script], {
      cwd: ROOT,
      env: { ...process.env, ...PROVIDER_ENV },
    });
    return (JSON.parse(stdout) as { text: string }).text;
  })();
  return cached;
}
