import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DurationError, durationAsWritten, formatDuration, parseDuration } from '../src/duration.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

describe('parseDuration', () => {
  // Hand-computed milliseconds.
  const cases: [input: string | number, ms: number][] = [
    ['30s', 30 * SECOND],
    ['15m', 15 * MINUTE],
    ['6h', 6 * HOUR],
    ['7d', 7 * DAY],
    ['4w', 4 * WEEK],
    ['90s', 90 * SECOND],
    ['1d12h', DAY + 12 * HOUR],
    ['3d12h30m', 3 * DAY + 12 * HOUR + 30 * MINUTE],
    ['500ms', 500],
    ['1.5h', 90 * MINUTE],
    ['0s', 0],
    ['0', 0],
    ['1m30s', 90 * SECOND],
    ['1h1ms', HOUR + 1],
    ['30m1h', 90 * MINUTE], // order is not enforced
    ['.5s', 500],
    ['1.s', SECOND],
    ['0.5ms', 1], // half a millisecond rounds up
    ['0.4ms', 0],
    ['1.0005s', 1001], // exact decimal: 1000.5 ms rounds up (a double would give 1000.4999...)
    ['0.1h0.1m', 6 * MINUTE + 6 * SECOND],
    ['90', 90 * SECOND], // a plain number means seconds
    ['2.5', 2500],
    [' 5m ', 5 * MINUTE], // surrounding whitespace from YAML block scalars is harmless
    [90, 90 * SECOND],
    [1.5, 1500],
    [0, 0],
    [0.0005, 1],
    [1e-7, 0],
    ['9007199254740991ms', Number.MAX_SAFE_INTEGER],
  ];
  for (const [input, ms] of cases) {
    it(`${typeof input === 'number' ? `number ${input}` : JSON.stringify(input)} = ${ms} ms`, () => {
      assert.equal(parseDuration(input), ms);
    });
  }
});

describe('parseDuration rejections', () => {
  const cases: [input: unknown, problem: RegExp, hint: RegExp | undefined][] = [
    ['', /empty/, /write e\.g\. 30s/],
    ['   ', /empty/, /write e\.g\. 30s/],
    ['10 minutes', /spaces are not allowed/, /^write 10m$/],
    ['1h 30m', /spaces are not allowed/, /^write 1h30m$/],
    ['2 days', /spaces are not allowed/, /^write 2d$/],
    ['1H', /units are written as ms, s, m, h, d, w/, /^write 1h$/],
    ['3hours', /units are written as/, /^write 3h$/],
    ['5x', /unknown unit "x"; units are ms, s, m, h, d, w/, undefined],
    ['1M', /unknown unit "M"/, undefined], // months? megabytes? do not guess minutes
    ['10us', /unknown unit "us"/, undefined],
    ['1constructor', /unknown unit "constructor"/, undefined], // also an Object.prototype key
    ['1h30', /"30" has no unit/, /^did you mean 1h30m\?$/],
    ['30 5m', /"30" has no unit/, undefined],
    ['1m30m', /the unit "m" appears more than once/, undefined],
    ['-5m', /durations cannot be negative/, undefined],
    [-1, /durations cannot be negative/, undefined],
    ['abc', /expected numbers each followed by a unit/, /write e\.g\. 30s/],
    ['+5m', /expected numbers each followed by a unit/, /write e\.g\. 30s/],
    ['h', /expected numbers each followed by a unit/, /write e\.g\. 30s/],
    ['9007199254740992ms', /too large/, undefined],
    ['99999999999w', /too large/, undefined],
    [1e21, /too large/, undefined],
    [Number.NaN, /not a finite number/, /write e\.g\. 30s/],
    [Number.POSITIVE_INFINITY, /not a finite number/, /write e\.g\. 30s/],
    [null, /expected a string or a number, got object/, /write e\.g\. 30s/],
  ];
  for (const [input, problem, hint] of cases) {
    it(`${JSON.stringify(input) ?? String(input)} is refused`, () => {
      assert.throws(() => parseDuration(input as string), (e: unknown) => {
        assert.ok(e instanceof DurationError);
        assert.match(e.message, /^invalid duration "/);
        assert.match(e.message, problem);
        if (hint) {
          assert.match(e.hint ?? '', hint);
          assert.ok(e.message.endsWith(`; hint: ${e.hint}`), e.message);
        } else {
          assert.equal(e.hint, undefined);
        }
        return true;
      });
    });
  }
});

describe('formatDuration', () => {
  const cases: [ms: number, text: string][] = [
    [90 * SECOND, '1m30s'],
    [HOUR, '1h'],
    [DAY, '1d'],
    [DAY + 12 * HOUR, '1d12h'],
    [1500, '1500ms'],
    [0, '0s'],
    [30 * SECOND, '30s'],
    [15 * MINUTE, '15m'],
    [90 * MINUTE, '1h30m'],
    [3 * DAY + 12 * HOUR + 30 * MINUTE, '3d12h30m'],
    // No weeks in what capsim computes (issue 21): 30d, not 4w2d; 151d9h, not 21w4d9h.
    [WEEK, '7d'],
    [30 * DAY, '30d'],
    [151 * DAY + 9 * HOUR, '151d9h'],
    [10 * DAY, '10d'],
    [HOUR + SECOND, '1h1s'],
    [1, '1ms'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991ms'],
  ];
  for (const [ms, text] of cases) {
    it(`${ms} -> ${text}`, () => assert.equal(formatDuration(ms), text));
  }

  it('refuses what is not a non-negative integer of milliseconds', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      assert.throws(() => formatDuration(bad), RangeError);
    }
  });

  it('spaced, as a page or a table reads it: 151d 9h, 18h 5m 50s; one part has no space', () => {
    assert.equal(formatDuration(151 * DAY + 9 * HOUR, { spaced: true }), '151d 9h');
    assert.equal(formatDuration(18 * HOUR + 5 * MINUTE + 50 * SECOND, { spaced: true }), '18h 5m 50s');
    assert.equal(formatDuration(30 * DAY, { spaced: true }), '30d');
    assert.equal(durationAsWritten(36 * HOUR, undefined, { spaced: true }), '1d 12h');
    assert.equal(durationAsWritten(36 * HOUR, '36h', { spaced: true }), '36h');
  });
});

describe('durationAsWritten', () => {
  it('shows what the user wrote when it is that duration: 2w stays 2w, 36h stays 36h', () => {
    assert.equal(durationAsWritten(2 * WEEK, '2w'), '2w');
    assert.equal(durationAsWritten(36 * HOUR, '36h'), '36h');
    assert.equal(durationAsWritten(30 * DAY, '30d'), '30d');
  });
  it('computes it when the text is another duration (a --set), absent or not a duration', () => {
    assert.equal(durationAsWritten(3 * DAY, '2w'), '3d');
    assert.equal(durationAsWritten(30 * DAY, undefined), '30d');
    assert.equal(durationAsWritten(HOUR, 'soon'), '1h');
    assert.equal(durationAsWritten(HOUR, 3600), '1h');
  });
});

describe('properties', () => {
  const UNIT_MS: Record<string, number> = { w: WEEK, d: DAY, h: HOUR, m: MINUTE, s: SECOND, ms: 1 };

  it('parseDuration(formatDuration(ms)) === ms', () => {
    const unitMultiple = fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(...Object.values(UNIT_MS)))
      .map(([n, unit]) => n * unit);
    fc.assert(fc.property(fc.oneof(fc.maxSafeNat(), unitMultiple), (ms) => parseDuration(formatDuration(ms)) === ms));
  });

  it('a duration is the sum of its parts', () => {
    const parts = fc.uniqueArray(
      fc.tuple(fc.constantFrom(...Object.keys(UNIT_MS)), fc.integer({ min: 0, max: 10_000 })),
      { minLength: 1, maxLength: 6, selector: ([unit]) => unit },
    );
    fc.assert(fc.property(parts, (list) => {
      const text = list.map(([unit, n]) => `${n}${unit}`).join('');
      const expected = list.reduce((sum, [unit, n]) => sum + n * UNIT_MS[unit], 0);
      return parseDuration(text) === expected;
    }));
  });

  it('a plain number of seconds equals the same number with "s"', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 999 }), (whole, milli) => {
      const text = `${whole}.${String(milli).padStart(3, '0')}`;
      return parseDuration(text) === parseDuration(`${text}s`) && parseDuration(text) === whole * 1000 + milli;
    }));
  });
});
