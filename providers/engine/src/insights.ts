import { DescribeInsightsRefreshCommand, StartInsightsRefreshCommand } from "@aws-sdk/client-eks";
import type { Clients } from "./clients";

/** How long to wait for a refresh before going on with the insights as they are (EKS: minutes). */
export const INSIGHTS_REFRESH_MINUTES = 10;
const POLL_SECONDS = 10;

export interface InsightsRefresh {
  /** COMPLETED, FAILED, or IN_PROGRESS when the wait ran out. */
  status: string;
  message: string;
}

/**
 * Asks EKS to evaluate the upgrade insights again and waits for it (bounded): EKS refreshes them
 * daily by itself and the deprecated-API check looks back 30 days, so what ListInsights says may be
 * a day old. Against the emulator, `timeScale` shortens the waits as it does the clock.
 */
export async function refreshInsights(
  clients: Clients,
  clusterName: string,
  options: { timeScale?: number; signal?: AbortSignal | undefined } = {},
): Promise<InsightsRefresh> {
  const scale = options.timeScale ?? 1;
  const started = await clients.eks.send(new StartInsightsRefreshCommand({ clusterName }));
  let status = started.status ?? "IN_PROGRESS";
  let message = started.message ?? "";
  const deadline = Date.now() + INSIGHTS_REFRESH_MINUTES * 60_000 * scale;
  while (status === "IN_PROGRESS" && Date.now() < deadline && !options.signal?.aborted) {
    await new Promise((r) => setTimeout(r, POLL_SECONDS * 1000 * scale));
    const now = await clients.eks.send(new DescribeInsightsRefreshCommand({ clusterName }));
    status = now.status ?? status;
    message = now.message ?? message;
  }
  return { status, message };
}
