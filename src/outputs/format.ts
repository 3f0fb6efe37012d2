// Number formatting for the output files: floating point is rounded once, here, so the same run
// always prints the same bytes.

/** Rounds to `decimals` places and drops trailing zeros: 12.5, 0.333333, 3. */
export function round(value: number, decimals: number): number {
  if (!Number.isFinite(value)) return 0;
  const f = 10 ** decimals;
  const r = Math.round(value * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

export const money = (usd: number) => round(usd, 6);
export const pct = (ratio: number) => round(ratio * 100, 4);

export function isoTime(startEpochMs: number, tMs: number): string {
  return new Date(startEpochMs + tMs).toISOString();
}

/** Seconds since start: an integer when whole, else milliseconds as a decimal. */
export function seconds(tMs: number): number {
  return tMs % 1000 === 0 ? tMs / 1000 : tMs / 1000;
}
