// How figures read in reports: money with cents and thousands separators, percentages with the
// precision they deserve, CPU and memory in the units a Kubernetes manifest would use.

import { durationAsWritten, formatDuration } from '../duration.ts';
/** Money: the one formatter of src/outputs/money.ts ($1,201.40, $0.096/h). */
export { usd, usdPerHour } from '../outputs/money.ts';
/** CPU and memory as a manifest writes them: src/outputs/resourceText.ts, shared with the terminal. */
export { cpu, memory } from '../outputs/resourceText.ts';

export function percent(value: number, decimals = 1): string {
  return `${value.toFixed(decimals)}%`;
}

/** Served demand keeps its nines: 99.9701%, not 100.0%. */
export function servedPercent(value: number): string {
  return value >= 99 && value < 100 ? `${Number(value.toFixed(4))}%` : percent(value, 1);
}

/** Emissions in kg CO2e: grams' precision below 10 kg, then one decimal. */
export function kgCo2e(value: number): string {
  return `${kg(value)} kg CO2e`;
}

/** The number of kgCo2e alone, for a card whose label names the unit. */
export function kg(value: number): string {
  // Fixed digits, so figures side by side line up and read alike (0.350 beside 0.349, not 0.35).
  const digits = Math.abs(value) < 10 ? 3 : 1;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Energy in kWh, with the same precision as kgCo2e. */
export function kwh(value: number): string {
  return `${kg(value)} kWh`;
}

export function count(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** 90061 s -> "1d 1h 1m 1s", 30 days -> "30d": src/duration.ts formatDuration, the one way capsim
 *  prints a duration (no weeks), spaced as people read it in a page. */
export function duration(seconds: number): string {
  return formatDuration(Math.round(Math.max(seconds, 0)) * 1000, { spaced: true });
}

/** A run's length as its scenario wrote it (spec.duration "30d", "2w" in scenario.resolved.yaml),
 *  or as duration() prints it when the file says otherwise (a --set, an older run). */
export function runDuration(run: { summary: { durationSeconds: number }; scenarioYaml: string }): string {
  const written = /^ {2}duration: *["']?([0-9][^"'\s#]*)["']? *(#.*)?$/m.exec(run.scenarioYaml)?.[1];
  const seconds = Math.round(Math.max(run.summary.durationSeconds, 0));
  return durationAsWritten(seconds * 1000, written, { spaced: true });
}

export function utcTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, ' UTC');
}
