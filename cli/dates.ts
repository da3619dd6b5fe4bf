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
