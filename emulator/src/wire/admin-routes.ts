import type { Emulator } from "../server";
import { findRoute, type Route } from "./router";

/**
 * The admin API under /_emulator/ (for tests and people, never logged in the audit):
 *   GET    /_emulator/info               { region, accountId }: the CLI takes the region from it
 *   GET    /_emulator/state              every cluster, node group, add-on and update
 *   GET    /_emulator/audit?since=N      audit entries after sequence number N
 *   DELETE /_emulator/audit              forget the audit log
 *   GET    /_emulator/faults             active faults
 *   POST   /_emulator/faults             inject a fault (body: a fault, see README)
 *   DELETE /_emulator/faults             remove every fault
 *   GET    /_emulator/clock              { now, timeScale, paused }: clients pace their waits by it
 *   POST   /_emulator/clock              { "advanceSeconds": N } moves simulated time forward,
 *                                         { "paused": true | false } holds it still or lets it go on
 *   POST   /_emulator/reset              back to the seed (or to the seed in the body)
 *   GET    /_emulator/ssm-parameters     the public SSM parameter names served
 */
interface AdminRoute extends Route {
  handle(emu: Emulator, body: unknown, query: URLSearchParams): unknown;
}

const ADMIN_ROUTES: readonly AdminRoute[] = [
  {
    method: "GET",
    path: "/_emulator/info",
    handle: (e) => ({ region: e.region, accountId: e.world.seed.accountId }),
  },
  { method: "GET", path: "/_emulator/state", handle: (e) => e.state() },
  {
    method: "GET",
    path: "/_emulator/audit",
    handle: (e, _b, q) => ({ entries: e.audit(Number(q.get("since") ?? 0)) }),
  },
  {
    method: "DELETE",
    path: "/_emulator/audit",
    handle: (e) => {
      e.clearAudit();
      return { cleared: true };
    },
  },
  { method: "GET", path: "/_emulator/faults", handle: (e) => ({ faults: e.world.faults.list() }) },
  { method: "POST", path: "/_emulator/faults", handle: (e, b) => ({ id: e.injectFault(b as never) }) },
  {
    method: "DELETE",
    path: "/_emulator/faults",
    handle: (e) => {
      e.clearFaults();
      return { cleared: true };
    },
  },
  {
    method: "GET",
    path: "/_emulator/clock",
    handle: (e) => clockView(e),
  },
  {
    method: "POST",
    path: "/_emulator/clock",
    handle: (e, b) => {
      const { advanceSeconds: seconds, paused } = (b ?? {}) as { advanceSeconds?: unknown; paused?: unknown };
      if (seconds === undefined && paused === undefined)
        throw new Error("advanceSeconds or paused: give at least one");
      if (seconds !== undefined && (typeof seconds !== "number" || !(seconds >= 0)))
        throw new Error("advanceSeconds: must be a number >= 0");
      if (paused !== undefined && typeof paused !== "boolean")
        throw new Error("paused: must be true or false");
      if (paused === true) e.pauseClock();
      if (seconds !== undefined) e.advanceClock(seconds);
      if (paused === false) e.resumeClock();
      return clockView(e);
    },
  },
  {
    method: "POST",
    path: "/_emulator/reset",
    handle: (e, b) => {
      e.reset(b && Object.keys(b as object).length ? (b as never) : undefined);
      return { reset: true };
    },
  },
  { method: "GET", path: "/_emulator/ssm-parameters", handle: (e) => ({ names: e.world.ssm.names() }) },
];

function clockView(e: Emulator) {
  return { now: e.world.clock.now(), timeScale: e.world.seed.timeScale, paused: e.world.clock.paused };
}

export function handleAdmin(
  emu: Emulator,
  method: string,
  pathname: string,
  query: URLSearchParams,
  bodyText: string,
) {
  const match = findRoute(ADMIN_ROUTES, method, pathname);
  if (!match) return { status: 404, body: { error: `no admin route ${method} ${pathname}` } };
  try {
    const body = bodyText.trim() ? JSON.parse(bodyText) : undefined;
    return { status: 200, body: match.route.handle(emu, body, query) };
  } catch (e) {
    return { status: 400, body: { error: (e as Error).message } };
  }
}
