import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { seedJsonSchema } from "../seed";

/** Regenerates emulator/seed.schema.json from the seed's definitions (a test checks it is current). */
const file = join(__dirname, "..", "..", "seed.schema.json");
writeFileSync(file, `${JSON.stringify(seedJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);
