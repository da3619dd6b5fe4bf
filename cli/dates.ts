import { amiFamily } from "@eks-upgrade/engine";

/** Whole days from `now` to a date (negative when it has passed). */
export function daysUntil(date: string, now: Date): number {
  return Math.floor((Date.parse(date) - now.getTime()) / 86_400_000);
}

/** Whole days since a date (an AMI 64.3 days old is 64 days old, not 65). */
export function daysSince(date: string, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(date)) / 86_400_000);
}

/**
 * The date an AMI release was built, where its name says: AL2 and AL2023 end in YYYYMMDD, Windows
 * in YYYY.MM.DD. A Bottlerocket release ends in a build id (8 hex digits, sometimes all decimal),
 * which is no date.
 */
export function releaseDate(amiType: string, release: string): string | undefined {
  const family = amiFamily(amiType);
  const al = (family === "AL2" || family === "AL2023") && /-(\d{4})(\d{2})(\d{2})$/.exec(release);
  if (al) return `${al[1]}-${al[2]}-${al[3]}`;
  const win = family === "WINDOWS" && /-(\d{4})\.(\d{2})\.(\d{2})$/.exec(release);
  return win ? `${win[1]}-${win[2]}-${win[3]}` : undefined;
}
