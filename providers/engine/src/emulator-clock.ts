import { loopbackOnly } from "./clients";
import { type DesiredSpec, isLoopbackHost } from "./spec";

/**
 * The time scale to pace waits by (poll intervals, deadlines). Against AWS it is 1. Against the
 * local emulator (every endpoint on this machine) it is the scale the emulator announces on
 * `GET /_emulator/clock`, so a run against `npm run emulator` does not wait in real time. Nothing
 * but a loopback endpoint is ever asked; anything unexpected there means 1.
 */
export async function timeScaleOf(spec: Pick<DesiredSpec, "endpoints">): Promise<number> {
  const eks = spec.endpoints?.eks;
  if (!eks || !loopbackOnly(spec.endpoints)) return 1;
  const { timeScale } = (await askEmulator(eks, "/_emulator/clock")) ?? {};
  return typeof timeScale === "number" && timeScale > 0 && timeScale <= 1 ? timeScale : 1;
}

/**
 * The region the local emulator at `endpoint` serves (`GET /_emulator/info`), so a command pointed
 * at it needs no --region. Undefined for anything but an answering emulator on this machine.
 */
export async function emulatorRegion(endpoint: string): Promise<string | undefined> {
  if (!URL.canParse(endpoint) || !isLoopbackHost(new URL(endpoint).hostname)) return undefined;
  const { region } = (await askEmulator(endpoint, "/_emulator/info")) ?? {};
  return typeof region === "string" && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : undefined;
}

/** The emulator's admin API answer at `path` (callers check the host is this machine), or undefined. */
async function askEmulator(endpoint: string, path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await fetch(new URL(path, endpoint), { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
