import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  QuantityError,
  formatBytes,
  formatCpuMilli,
  formatResource,
  isNegative,
  milliValue,
  parseBytes,
  parseCpuMilli,
  parseQuantity,
  value,
} from '../src/quantity.ts';

const UPSTREAM_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const UPSTREAM_SUFFIX_ERROR = "unable to parse quantity's suffix";

// Expected values are hand-computed; rows marked "upstream" come from the tables in
// k8s.io/apimachinery/pkg/api/resource/quantity_test.go (TestQuantityParse, TestQuantityParseZero).
describe('parseCpuMilli', () => {
  const cases: [input: string | number, milli: number][] = [
    ['100m', 100],
    ['250m', 250],
    ['0.5', 500],
    ['.5', 500],
    ['1', 1000],
    ['+1', 1000],
    ['-1', -1000],
    ['1e3', 1_000_000],
    ['1E3', 1_000_000],
    ['0.001', 1],
    ['1e-3', 1],
    ['1E-3', 1], // upstream
    ['0.1m', 1], // 0.1 millicore rounds up: MilliValue() never rounds a request down to nothing
    ['5n', 1], // upstream rounds up
    ['0.0001', 1],
    ['12.34', 12_340],
    ['1.', 1000], // upstream accepts a trailing point ("we currently allow 1.G")
    ['0', 0], // upstream
    ['0m', 0], // upstream
    ['0.0', 0],
    ['000100m', 100],
    ['2500m', 2500],
    ['1.5k', 1_500_000],
    ['3m', 3], // upstream
    ['4u', 1], // upstream; 0.004m rounds up
    ['1G', 1_000_000_000_000],
    [2, 2000],
    [0.5, 500],
    [1e3, 1_000_000],
    [0.1, 100], // a YAML float: read as the decimal the author wrote, not the binary double
    [0.0001, 1],
    [-0.25, -250],
  ];
  for (const [input, milli] of cases) {
    it(`${typeof input === 'number' ? `number ${input}` : JSON.stringify(input)} = ${milli}m`, () => {
      assert.equal(parseCpuMilli(input), milli);
    });
  }
});

describe('parseBytes', () => {
  const cases: [input: string | number, bytes: number][] = [
    ['1Gi', 1_073_741_824],
    ['1G', 1_000_000_000],
    ['1.5Gi', 1_610_612_736],
    ['129e6', 129_000_000],
    ['129M', 129_000_000],
    ['128974848', 128_974_848],
    ['12345678', 12_345_678],
    ['1Ki', 1024], // upstream
    ['8Ki', 8192], // upstream
    ['7Mi', 7_340_032], // upstream
    ['6Gi', 6_442_450_944], // upstream
    ['5Ti', 5_497_558_138_880], // upstream
    ['4Pi', 4_503_599_627_370_496], // upstream
    ['0.5Ki', 512],
    ['1.25Ki', 1280],
    ['0.1Ki', 103], // 102.4 rounds up, as Value() does
    ['50k', 50_000], // upstream
    ['7M', 7_000_000], // upstream
    ['5T', 5_000_000_000_000], // upstream
    ['1e3', 1000],
    ['0.5', 1], // Value() rounds up
    ['100m', 1],
    ['1m', 1],
    ['-1', -1],
    ['-1.5', -2], // upstream rounds away from zero (negativeScaleInt64), so -1.5 -> -2
    ['0Gi', 0], // upstream
    [2, 2],
    [1e9, 1_000_000_000],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ];
  for (const [input, bytes] of cases) {
    it(`${typeof input === 'number' ? `number ${input}` : JSON.stringify(input)} = ${bytes}`, () => {
      assert.equal(parseBytes(input), bytes);
    });
  }
});

describe('parseQuantity', () => {
  it('keeps the exact value in nanos and the suffix family', () => {
    assert.deepEqual(parseQuantity('1.5Gi'), { nanos: 1_610_612_736_000_000_000n, format: 'BinarySI', text: '1.5Gi' });
    assert.deepEqual(parseQuantity('100m'), { nanos: 100_000_000n, format: 'DecimalSI', text: '100m' });
    assert.deepEqual(parseQuantity('1e3'), { nanos: 1_000_000_000_000n, format: 'DecimalExponent', text: '1e3' });
  });

  it('rounds anything finer than a nano up to one nano, like upstream', () => {
    assert.equal(parseQuantity('0.1n').nanos, 1n);
    assert.equal(parseQuantity('1e-1000000000').nanos, 1n);
    assert.equal(parseQuantity('0e1000000000').nanos, 0n);
  });

  it('milliValue and value round up', () => {
    const q = parseQuantity('1500001u'); // 1.500001 cores
    assert.equal(milliValue(q), 1501);
    assert.equal(value(q), 2);
  });

  it('isNegative', () => {
    assert.equal(isNegative(parseQuantity('-1')), true);
    assert.equal(isNegative(parseQuantity('-0')), false);
    assert.equal(isNegative(parseQuantity('+1')), false);
    assert.equal(isNegative(parseQuantity('0')), false);
  });

  it('refuses results it cannot count exactly', () => {
    assert.throws(() => parseBytes('8Pi'), (e: unknown) => e instanceof QuantityError && /too large/.test(e.message));
    assert.throws(() => parseCpuMilli('1e13'), (e: unknown) => e instanceof QuantityError && /too large/.test(e.message));
    assert.throws(() => parseBytes('1e9999'), (e: unknown) => e instanceof QuantityError && /too large/.test(e.message));
    assert.equal(parseCpuMilli('9007199254740.991'), Number.MAX_SAFE_INTEGER);
  });
});

describe('rejections', () => {
  const cases: [input: unknown, problem: string, hint: RegExp | undefined][] = [
    ['', UPSTREAM_FORMAT_ERROR, /e\.g\. 500m/],
    ['1.2.3', UPSTREAM_FORMAT_ERROR, /at most one decimal point/],
    ['abc', UPSTREAM_FORMAT_ERROR, /e\.g\. 500m/],
    ['1GB', UPSTREAM_FORMAT_ERROR, /did you mean 1G or 1Gi\?/],
    ['512MB', UPSTREAM_FORMAT_ERROR, /did you mean 512M or 512Mi\?/],
    ['1gi', UPSTREAM_FORMAT_ERROR, /did you mean 1Gi\?/],
    ['10 Mi', UPSTREAM_FORMAT_ERROR, /remove the spaces: 10Mi/],
    ['1Kb', UPSTREAM_FORMAT_ERROR, /did you mean 1k or 1Ki\?/],
    ['1K', UPSTREAM_SUFFIX_ERROR, /did you mean 1k or 1Ki\?/],
    ['2GiB', UPSTREAM_FORMAT_ERROR, /did you mean 2Gi\?/],
    ['10 MB', UPSTREAM_FORMAT_ERROR, /did you mean 10M or 10Mi\?/],
    ['2 cores', UPSTREAM_FORMAT_ERROR, /did you mean 2\?/],
    ['1,5', UPSTREAM_FORMAT_ERROR, /use a dot for decimals: 1\.5/],
    ['1e', UPSTREAM_SUFFIX_ERROR, /exponent needs digits/],
    ['-3.01e-', UPSTREAM_SUFFIX_ERROR, /exponent needs digits/], // upstream
    ['+', UPSTREAM_FORMAT_ERROR, /e\.g\. 500m/],
    ['.', UPSTREAM_FORMAT_ERROR, /e\.g\. 500m/],
    ['0.1mi', UPSTREAM_SUFFIX_ERROR, /did you mean 0\.1Mi\?/], // upstream
    ['1.1.M', UPSTREAM_FORMAT_ERROR, /at most one decimal point/], // upstream
    ['1+1.0M', UPSTREAM_FORMAT_ERROR, undefined], // upstream
    ['0.1am', UPSTREAM_FORMAT_ERROR, undefined], // upstream
    ['1constructor', UPSTREAM_FORMAT_ERROR, undefined], // a word that is also an Object.prototype key
    ['.5i', UPSTREAM_SUFFIX_ERROR, /valid suffixes are/], // upstream
    ['1i', UPSTREAM_SUFFIX_ERROR, /valid suffixes are/], // upstream
    ['1 ', UPSTREAM_FORMAT_ERROR, /remove the spaces: 1$/], // upstream
    [' 1i', UPSTREAM_FORMAT_ERROR, /^remove the spaces$/], // upstream
    [Number.NaN, 'not a finite number', /e\.g\. 500m/],
    [Number.POSITIVE_INFINITY, 'not a finite number', /e\.g\. 500m/],
    [null, 'expected a string or a number, got object', /e\.g\. 500m/],
  ];
  for (const [input, problem, hint] of cases) {
    it(`${JSON.stringify(input) ?? String(input)} is refused${hint ? ` with hint ${hint}` : ''}`, () => {
      assert.throws(() => parseQuantity(input as string), (e: unknown) => {
        assert.ok(e instanceof QuantityError);
        assert.ok(e.message.includes(problem), e.message);
        assert.ok(e.message.startsWith(`invalid quantity "${String(input)}": `), e.message);
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

  it('hints say what the binary and decimal suffixes mean', () => {
    assert.throws(() => parseBytes('512MB'), { message: /\(M = 10\^6, Mi = 2\^20\)/ });
  });
});

describe('formatCpuMilli', () => {
  const cases: [milli: number, text: string][] = [
    [100, '100m'],
    [1000, '1'],
    [2500, '2500m'],
    [0, '0'],
    [1, '1m'],
    [2000, '2'],
    [1_000_000, '1k'], // upstream String() of 1000 cores
    [1_500_000, '1500'],
    [-100, '-100m'],
    [0.5, '500u'], // not an integer: printed exactly, as upstream would
  ];
  for (const [milli, text] of cases) {
    it(`${milli} -> ${text}`, () => assert.equal(formatCpuMilli(milli), text));
  }
});

describe('formatBytes', () => {
  const cases: [bytes: number, text: string][] = [
    [1_073_741_824, '1Gi'],
    [536_870_912, '512Mi'],
    [1536, '1536'], // 1.5Ki is not a whole number of Ki
    [129_000_000, '129M'],
    [12_345_678, '12345678'],
    [128_974_848, '123Mi'],
    [0, '0'],
    [1024, '1Ki'],
    [1000, '1k'],
    [1_024_000, '1000Ki'], // binary wins when both divide
    [1_500_000, '1500k'],
    [2 ** 60, '1Ei'],
    [2 ** 70, '1024Ei'], // no suffix beyond Ei
    [-1024, '-1Ki'],
    [1.5, '1500m'], // not an integer: decimal, as upstream does when binary would need a fraction
  ];
  for (const [bytes, text] of cases) {
    it(`${bytes} -> ${text}`, () => assert.equal(formatBytes(bytes), text));
  }

  it('refuses what is not a number', () => {
    assert.throws(() => formatBytes(Number.NaN), RangeError);
    assert.throws(() => formatCpuMilli(Number.POSITIVE_INFINITY), RangeError);
  });
});

describe('formatResource', () => {
  const cases: [name: string, amount: number, text: string][] = [
    ['cpu', 1500, '1500m'],
    ['requests.cpu', 2000, '2'],
    ['limits.cpu', 250, '250m'],
    ['memory', 2 ** 30, '1Gi'],
    ['requests.memory', 129_000_000, '129M'],
    ['limits.ephemeral-storage', 10 * 2 ** 30, '10Gi'],
    ['requests.storage', 2 ** 40, '1Ti'],
    ['gold.storageclass.storage.k8s.io/requests.storage', 5 * 2 ** 30, '5Gi'],
    ['hugepages-2Mi', 2 ** 21, '2Mi'],
    ['pods', 110, '110'],
    ['count/pods', 1024, '1024'],
    ['nvidia.com/gpu', 2, '2'],
    ['requests.nvidia.com/gpu', 8, '8'],
    ['', 1.5, '1500m'], // a limit/request ratio, as LimitRanger prints it
    ['', 4, '4'],
  ];
  for (const [name, amount, text] of cases) {
    it(`${name || '(ratio)'} ${amount} -> ${text}`, () => assert.equal(formatResource(name, amount), text));
  }
});

describe('round trips', () => {
  for (const text of ['1Gi', '512Mi', '129M', '12345678', '123Mi', '1Ki', '0', '1k', '7Pi']) {
    it(`formatBytes(parseBytes(${text})) = ${text}`, () => assert.equal(formatBytes(parseBytes(text)), text));
  }
  for (const text of ['100m', '1', '2500m', '0', '1k', '1m']) {
    it(`formatCpuMilli(parseCpuMilli(${text})) = ${text}`, () => assert.equal(formatCpuMilli(parseCpuMilli(text)), text));
  }
  it('1.5Gi comes back as 1536Mi', () => assert.equal(formatBytes(parseBytes('1.5Gi')), '1536Mi'));
});

describe('properties', () => {
  const BINARY = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];

  it('parseCpuMilli(formatCpuMilli(m)) === m', () => {
    const milli = fc.oneof(
      fc.integer({ min: -1e12, max: 1e12 }),
      fc.integer({ min: 0, max: 1e9 }).map((cores) => cores * 1000),
    );
    fc.assert(fc.property(milli, (m) => parseCpuMilli(formatCpuMilli(m)) === m));
  });

  it('parseBytes(formatBytes(b)) === b', () => {
    const power = (base: number) =>
      fc.tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 5 }))
        .map(([n, k]) => n * base ** k)
        .filter(Number.isSafeInteger);
    const bytes = fc.oneof(fc.maxSafeNat(), power(1024), power(1000));
    fc.assert(fc.property(bytes, (b) => parseBytes(formatBytes(b)) === b));
  });

  it('a binary suffix multiplies by 2^(10k) exactly', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 8_000 }), fc.integer({ min: 0, max: 5 }), (n, k) => {
      fc.pre(Number.isSafeInteger(n * 1024 ** k));
      return parseBytes(`${n}${BINARY[k]}`) === n * 1024 ** k;
    }));
  });

  it('formatBytes uses the largest binary suffix that divides exactly', () => {
    const notMultipleOf1024 = fc.integer({ min: 1, max: 8_000 }).filter((n) => n % 1024 !== 0);
    fc.assert(fc.property(notMultipleOf1024, fc.integer({ min: 1, max: 5 }), (n, k) => {
      fc.pre(Number.isSafeInteger(n * 1024 ** k));
      return formatBytes(n * 1024 ** k) === `${n}${BINARY[k]}`;
    }));
  });

  it('decimal cores are read exactly, rounded up to a millicore', () => {
    const fraction = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 12 });
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e9 }), fraction, (cores, digits) => {
      // Hand computation: millicores = cores*1000 + ceil(0.digits * 1000).
      const scaled = BigInt(digits.padEnd(12, '0'));
      const extraMilli = (scaled + 999_999_999n) / 1_000_000_000n;
      return parseCpuMilli(`${cores}.${digits}`) === cores * 1000 + Number(extraMilli);
    }));
  });

  it('a YAML number and its text agree', () => {
    fc.assert(fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), (x) => parseCpuMilli(x) === parseCpuMilli(String(x))));
  });
});
