/**
 * End of standard and extended support per Kubernetes minor on EKS (the EKS release calendar, as of
 * 2026-04; 1.35 from the EKS documentation snapshot of that date). Dated facts: update them with
 * each new minor.
 */
export const SUPPORT_CALENDAR_AS_OF = "2026-04";

export const SUPPORT_CALENDAR: Record<
  string,
  { released: string; endOfStandard: string; endOfExtended: string }
> = {
  "1.28": { released: "2023-09-26", endOfStandard: "2024-11-26", endOfExtended: "2025-11-26" },
  "1.29": { released: "2024-01-23", endOfStandard: "2025-03-23", endOfExtended: "2026-03-23" },
  "1.30": { released: "2024-05-23", endOfStandard: "2025-07-23", endOfExtended: "2026-07-23" },
  "1.31": { released: "2024-09-26", endOfStandard: "2025-11-26", endOfExtended: "2026-11-26" },
  "1.32": { released: "2025-01-23", endOfStandard: "2026-03-23", endOfExtended: "2027-03-23" },
  "1.33": { released: "2025-05-29", endOfStandard: "2026-07-29", endOfExtended: "2027-07-29" },
  "1.34": { released: "2025-10-02", endOfStandard: "2026-12-02", endOfExtended: "2027-12-02" },
  "1.35": { released: "2026-01-27", endOfStandard: "2027-03-27", endOfExtended: "2028-03-27" },
};

/** Whole days from `now` to a date (negative when it has passed). */
export function daysUntil(date: string, now: Date): number {
  return Math.floor((Date.parse(date) - now.getTime()) / 86_400_000);
}

/** The date an AMI release was built, where its name says (AL2/AL2023 and Windows releases do). */
export function releaseDate(release: string): string | undefined {
  const al = /-(\d{4})(\d{2})(\d{2})$/.exec(release);
  if (al) return `${al[1]}-${al[2]}-${al[3]}`;
  const win = /-(\d{4})\.(\d{2})\.(\d{2})$/.exec(release);
  return win ? `${win[1]}-${win[2]}-${win[3]}` : undefined;
}
