/**
 * When a follow-up is due: the end of the Nth working day after the day it was asked, in Vietnam's
 * time (UTC+7 all year, no daylight saving). Working days are Monday to Friday minus the holidays
 * the province lists (Tết and the other public holidays move every year, so they are data, not code).
 */
const VN_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

/** The calendar day (YYYY-MM-DD) of an instant in Vietnam. */
export const vnDay = (at: Date): string => new Date(at.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);

const dayStart = (day: string): number => Date.parse(`${day}T00:00:00.000Z`) - VN_OFFSET_MS;

/**
 * The instant the follow-up becomes overdue: midnight (Vietnam) at the end of the `workingDays`-th
 * working day after `askedAt`'s own day (the day it was asked does not count, as a day received
 * does not count for an administrative deadline). `holidays` are YYYY-MM-DD.
 */
export const dueAfterWorkingDays = (askedAt: Date, workingDays: number, holidays: readonly string[]): Date => {
  const off = new Set(holidays);
  let day = dayStart(vnDay(askedAt));
  let left = workingDays;
  while (left > 0) {
    day += DAY_MS;
    const weekday = new Date(day + VN_OFFSET_MS).getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !off.has(vnDay(new Date(day)))) left--;
  }
  return new Date(day + DAY_MS);
};
