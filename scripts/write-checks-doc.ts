import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { flagKey } from "../cli/keys";
import { checksMarkdown } from "../providers/engine/src/checks-doc";

const file = join(__dirname, "..", "docs", "checks.md");
writeFileSync(file, checksMarkdown(flagKey));
console.log(`wrote ${file}`);
