// Go's time.ParseDuration, which Karpenter uses for every duration it reads: NodePool
// expireAfter, consolidateAfter, terminationGracePeriod, budget durations and the
// karpenter.sh/do-not-disrupt annotation's value (a pod annotation, so anything at all).
const GO_UNITS_NS: ReadonlyMap<string, number> = new Map([
  ['ns', 1], ['us', 1e3], ['µs', 1e3], ['μs', 1e3], ['ms', 1e6], ['s', 1e9], ['m', 60e9], ['h', 3600e9],
]);

const parsedDurations = new Map<string, number>();

/** Go time.ParseDuration, in milliseconds (fractional below 1 ms). Throws on what Go rejects.
 *  Remembers what it parsed (the disruption loop reads the same few durations every 10 s). */
export function parseGoDurationMs(text: string): number {
  const known = parsedDurations.get(text);
  if (known !== undefined) return known;
  const ms = parseGoDurationUncached(text);
  if (parsedDurations.size < 10_000) parsedDurations.set(text, ms);
  return ms;
}

function parseGoDurationUncached(text: string): number {
  const fail = (): never => { throw new Error(`time: invalid duration "${text}"`); };
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') fail();
  let ns = 0;
  const component = /^([0-9]*)(\.([0-9]*))?([^0-9.]+)/;
  while (s !== '') {
    const m = component.exec(s);
    if (!m) return fail();
    const [all, whole, dot, frac, unit] = m;
    if (whole === '' && (dot === undefined || frac === '')) fail();
    const unitNs = GO_UNITS_NS.get(unit); // a Map: a unit named "constructor" is no unit
    if (unitNs === undefined) return fail();
    ns += Number(`${whole || '0'}.${frac ?? ''}0`) * unitNs;
    s = s.slice(all.length);
  }
  return (sign * ns) / 1e6;
}
