import { it } from "node:test";

/**
 * Tests that tell one story in order, each starting from the state the one before left (one
 * emulator and one project per file). After a chapter fails, the later ones are skipped naming
 * it, so one bug shows as one failure; the file still fails. `what`: what the story is about
 * ("the local stack", "the fleet").
 */
export function chapters(what: string): (name: string, body: () => Promise<void>) => void {
  let broken: string | undefined;
  return (name, body) =>
    it(name, async (t) => {
      if (broken) return t.skip(`it starts where "${broken}" left ${what}, and that failed`);
      try {
        await body();
      } catch (e) {
        broken = name;
        throw e;
      }
    });
}
