import { parseRelease } from "@eks-upgrade/engine";

/** Whole days from `now` to a date (negative when it has passed). */
export function daysUntil(date: string, now: Date): number {
  return Math.floor((Date.parse(date) - now.getTime()) / 86_400_000);
}

/** Whole days since a date (an AMI 64.3 days old is 64 days old, not 65). */
export function daysSince(date: string, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(date)) / 86_400_000);
}

/**
 * The date an AMI release was built, where its family's releases carry one (Amazon Linux and
 * Windows); a Bottlerocket build id is no date, even when it is all digits.
 */
export function releaseDate(amiType: string, release: string): string | undefined {
  return parseRelease(amiType, release)?.built;
}
