// Cron schedules evaluated as the CronJob controller does (robfig/cron v3 ParseStandard, used by
// pkg/controller/cronjob): five fields (minute hour day-of-month month day-of-week) or a @macro,
// `*`/`?`, lists, ranges, steps and month/day names. Next(t) is the first matching minute strictly
// after t. When both day fields are restricted a day matches either; when one is `*` (or `?`)
// both must match (robfig's dayMatches). Day-of-week 7 is read as Sunday, as classic cron does.
// Schedules run in UTC, or in an IANA `timeZone` through Intl; local times that do not exist (a
// DST spring-forward gap) are skipped, repeated ones (fall-back) fire once. src/scenario/cron.ts
// validates the same syntax with messages for the user.

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Bounds {
  min: number;
  max: number;
  names?: string[];
  /** Offset of names[0]: months are 1-based. */
  nameBase?: number;
  /** End of `*` and of `N/step` when lower than max: day-of-week runs 0-6, 7 only when written. */
  impliedMax?: number;
}
const MINUTE: Bounds = { min: 0, max: 59 };
const HOUR: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTH: Bounds = { min: 1, max: 12, names: MONTHS, nameBase: 1 };
const DOW: Bounds = { min: 0, max: 7, names: DAYS, nameBase: 0, impliedMax: 6 };

interface Field {
  allowed: boolean[];
  /** Written as `*` or `?` (robfig's starBit): matters for the day-of-month/day-of-week rule. */
  star: boolean;
}

const MINUTE_MS = 60_000;
/** robfig gives up five years after the start time (a schedule such as Feb 30 never fires). */
const YEAR_LIMIT = 5;

export class CronSchedule {
  private constructor(
    private readonly minute: Field,
    private readonly hour: Field,
    private readonly dom: Field,
    private readonly month: Field,
    private readonly dow: Field,
    /** null for UTC. */
    private readonly timeZone: string | null,
  ) {}

  /** Parses a schedule; throws an Error saying what is wrong (an unknown timeZone included). */
  static parse(schedule: string, timeZone: string | null = null): CronSchedule {
    const text = schedule.trim();
    const expanded = text.startsWith('@') ? MACROS[text] : text;
    if (expanded === undefined) throw new Error(`unknown schedule macro "${text}"`);
    const parts = expanded.split(/\s+/);
    if (parts.length !== 5) throw new Error(`expected 5 fields, got ${parts.length}`);
    const dow = parseField(parts[4], DOW);
    if (dow.allowed[7]) dow.allowed[0] = true; // 7 = Sunday
    const zone = timeZone === null || timeZone === 'UTC' || timeZone === 'Etc/UTC' ? null : timeZone;
    if (zone !== null) zoneFormatter(zone); // throws RangeError for an unknown zone
    return new CronSchedule(parseField(parts[0], MINUTE), parseField(parts[1], HOUR), parseField(parts[2], DOM), parseField(parts[3], MONTH), dow, zone);
  }

  /** The first scheduled time strictly after `afterEpochMs` (Unix ms), or null if none within
   *  five years. */
  next(afterEpochMs: number): number | null {
    if (this.timeZone === null) return this.nextWall(afterEpochMs);
    const zone = this.timeZone;
    let wall = afterEpochMs + zoneOffsetMs(zone, afterEpochMs);
    for (;;) {
      const candidate = this.nextWall(wall);
      if (candidate === null) return null;
      const instant = candidate - zoneOffsetMs(zone, candidate - zoneOffsetMs(zone, candidate));
      // A wall time that maps back to itself exists; one inside a DST gap does not and is skipped.
      if (instant > afterEpochMs && instant + zoneOffsetMs(zone, instant) === candidate) return instant;
      wall = candidate;
    }
  }

  /** robfig SpecSchedule.Next over wall-clock fields read as UTC: roll the first field that does
   *  not match forward and start again. */
  private nextWall(afterMs: number): number | null {
    let t = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    const limit = new Date(t).getUTCFullYear() + YEAR_LIMIT;
    for (;;) {
      const d = new Date(t);
      const year = d.getUTCFullYear();
      if (year > limit) return null;
      const month = d.getUTCMonth();
      if (!this.month.allowed[month + 1]) {
        t = Date.UTC(year, month + 1, 1);
        continue;
      }
      if (!this.dayMatches(d)) {
        t = Date.UTC(year, month, d.getUTCDate() + 1);
        continue;
      }
      if (!this.hour.allowed[d.getUTCHours()]) {
        t = Date.UTC(year, month, d.getUTCDate(), d.getUTCHours() + 1);
        continue;
      }
      if (!this.minute.allowed[d.getUTCMinutes()]) {
        t += MINUTE_MS;
        continue;
      }
      return t;
    }
  }

  private dayMatches(d: Date): boolean {
    const domMatch = this.dom.allowed[d.getUTCDate()];
    const dowMatch = this.dow.allowed[d.getUTCDay()];
    if (this.dom.star || this.dow.star) return domMatch && dowMatch;
    return domMatch || dowMatch;
  }
}

/** robfig getField / getRange: comma-separated items, each `*`, `?`, `N`, `N-M`, with `/step`;
 *  `N/step` means N through the maximum. */
function parseField(text: string, bounds: Bounds): Field {
  const allowed = new Array<boolean>(bounds.max + 1).fill(false);
  let star = false;
  for (const item of text.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined) throw new Error(`invalid step in "${text}"`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`invalid step in "${text}"`);
    let start: number;
    let end: number;
    if (range === '*' || range === '?') {
      start = bounds.min;
      end = bounds.impliedMax ?? bounds.max;
      if (step === 1) star = true;
    } else {
      const [low, high, more] = range.split('-');
      if (more !== undefined) throw new Error(`invalid range in "${text}"`);
      start = valueOf(low, bounds);
      end = high === undefined ? (stepText === undefined ? start : bounds.impliedMax ?? bounds.max) : valueOf(high, bounds);
    }
    if (start < bounds.min || end > bounds.max || start > end) throw new Error(`"${item}" is out of range ${bounds.min}-${bounds.max}`);
    for (let v = start; v <= end; v += step) allowed[v] = true;
  }
  return { allowed, star };
}

function valueOf(text: string, bounds: Bounds): number {
  if (/^[0-9]+$/.test(text)) return Number(text);
  const index = bounds.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index < 0) throw new Error(`invalid value "${text}"`);
  return index + (bounds.nameBase ?? 0);
}

// ---- time zones (Intl) -------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Local time minus UTC at an instant, in ms (whole seconds, as every zone offset today is). */
export function zoneOffsetMs(zone: string, epochMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of zoneFormatter(zone).formatToParts(epochMs)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const local = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return local - Math.floor(epochMs / 1000) * 1000;
}
