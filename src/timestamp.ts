// UTC calendar times <-> Unix milliseconds, refusing what does not exist. Date.UTC quietly rolls
// 2026-02-30 over to 2 March and 24:00 over to the next day, and reads the years 0-99 as
// 1900-1999: a scenario's times must mean what they say.

export interface CalendarTime {
  year: number;
  /** 1-12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The last instant written with a four-digit year, which every time in the outputs has. */
export const LATEST_UTC_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Why a calendar time does not exist ("February 2026 has 28 days"), or undefined when it does. */
export function calendarProblem(t: CalendarTime): string | undefined {
  if (t.month < 1 || t.month > 12) return `there is no month ${t.month} (months go from 01 to 12)`;
  const days = daysIn(t.year, t.month);
  if (t.day < 1 || t.day > days) return `${MONTH_NAMES[t.month - 1]} ${t.year} has ${days} days, so there is no day ${t.day}`;
  if (t.hour > 23) return `there is no hour ${t.hour} (hours go from 00 to 23)`;
  if (t.minute > 59) return `there is no minute ${t.minute} (minutes go from 00 to 59)`;
  if (t.second > 59) return `there is no second ${t.second} (seconds go from 00 to 59)`;
  return undefined;
}

/** Unix milliseconds of a calendar time that exists (check it with calendarProblem first). */
export function utcMs(t: CalendarTime, milliseconds = 0): number {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, takes the years 0-99 as they are.
  date.setUTCFullYear(t.year, t.month - 1, t.day);
  date.setUTCHours(t.hour, t.minute, t.second, milliseconds);
  return date.getTime();
}
