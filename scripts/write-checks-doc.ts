import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { checksMarkdown } from "../providers/engine/src/checks-doc";

const file = join(__dirname, "..", "docs", "checks.md");
writeFileSync(file, checksMarkdown());
console.log(`wrote ${file}`);
