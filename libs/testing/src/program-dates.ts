const DAY_MS = 86_400_000;

/**
 * The dates of a program that starts tomorrow (UTC) and ends `days` days later. Fixed dates
 * would slowly fall into the past and change the assessment plans a test or demo gets (a plan
 * only covers the part of the program still ahead); from tomorrow, approving a little after
 * midnight still leaves the plan starting on the start date.
 */
export function upcomingProgramDates(days: number, now = new Date()): { startDate: string; endDate: string } {
  const tomorrow = Math.floor(now.getTime() / DAY_MS) + 1;
  const iso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
  return { startDate: iso(tomorrow), endDate: iso(tomorrow + days) };
}
