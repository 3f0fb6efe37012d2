// Checks a cron schedule as CronJob accepts it (robfig/cron standard parser: five fields, or a
// @macro). Only validation lives here; evaluating schedules belongs to the CronJob controller.

const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: DAYS },
];

/** undefined when valid, else what is wrong. */
export function cronProblem(schedule: string): string | undefined {
  const text = schedule.trim();
  if (text.startsWith('@')) return MACROS.includes(text) ? undefined : `unknown schedule macro "${text}" (use one of ${MACROS.join(', ')})`;
  if (/^(CRON_)?TZ=/.test(text)) return 'a time zone in the schedule is not supported; use spec.timeZone';
  const parts = text.split(/\s+/);
  if (parts.length !== 5) return `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`;
  for (let i = 0; i < 5; i++) {
    const problem = fieldProblem(parts[i], FIELDS[i]);
    if (problem) return problem;
  }
  return undefined;
}

/** What is wrong with a CronJob's spec.timeZone, as the API server's validateTimeZone says it
 *  (pkg/apis/batch/validation): empty, "Local", or a name the time zone database lacks. */
export function timeZoneProblem(zone: string): string | undefined {
  if (zone === '') return 'timeZone must be nil or non-empty string';
  if (zone.toLowerCase() === 'local') return 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return `unknown time zone ${zone}`;
  }
}

function fieldProblem(field: string, spec: (typeof FIELDS)[number]): string | undefined {
  for (const item of field.split(',')) {
    const [range, step, extra] = item.split('/');
    if (extra !== undefined || (step !== undefined && !/^[0-9]+$/.test(step))) return `invalid step in ${spec.name} field "${field}"`;
    if (range === '*' || range === '?') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `invalid range in ${spec.name} field "${field}"`;
    for (const b of bounds) {
      const n = valueOf(b, spec);
      if (n === undefined) return `invalid ${spec.name} "${b}" in "${field}"`;
      if (n < spec.min || n > spec.max) return `${spec.name} ${b} is out of range ${spec.min}-${spec.max}`;
    }
  }
  return undefined;
}

function valueOf(text: string, spec: (typeof FIELDS)[number]): number | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text);
  const index = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index < 0) return undefined;
  return spec.names === MONTHS ? index + 1 : index;
}
