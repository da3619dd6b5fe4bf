import { setTimeout as sleep } from "node:timers/promises";

/**
 * Waits until `test` holds, checking every 10 ms for about `seconds` at most (another process or
 * the emulator moves meanwhile); returns whether it holds.
 */
export async function eventually(test: () => boolean, seconds = 30): Promise<boolean> {
  for (let i = 0; i < seconds * 100 && !test(); i++) await sleep(10);
  return test();
}
