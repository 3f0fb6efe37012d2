// What every chart shares: a chart is a function from a run's data to a typed vega-lite spec
// (STYLE: "charts are data"); rendering it to SVG, PNG or an interactive page is render.ts's
// and html.ts's job, the same for every chart.
import type { TopLevelSpec } from 'vega-lite';
import type { RunData } from '../runFiles.ts';

export interface Chart {
  /** File name without extension (charts/<name>.svg) and the page anchor. */
  name: string;
  title: string;
  /** One sentence under the title: what to look for. */
  caption: string;
  spec: TopLevelSpec;
}

/** Words vega looks up in plain objects: its expression parser reads the string "constructor"
 *  as the identifier constructor (legalKeywords[value]) and its scales stumble on them too, so a
 *  namespace, pool or node named "constructor" would break the chart. */
const OBJECT_WORDS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));
/** Invisible: the label reads the same. */
const ZERO_WIDTH_SPACE = '\u200b';

/** The spec with every string value that is one of those words given a zero-width space at the
 *  end, everywhere alike (data, sort orders, domains), so that the chart draws. The spec itself
 *  when there is none (the usual case: nothing is copied). */
export function vegaSafe<T>(spec: T): T {
  if (typeof spec === 'string') return (OBJECT_WORDS.has(spec) ? spec + ZERO_WIDTH_SPACE : spec) as T;
  if (spec === null || typeof spec !== 'object') return spec;
  if (Array.isArray(spec)) {
    let out: unknown[] | undefined;
    spec.forEach((item, i) => {
      const safe = vegaSafe(item);
      if (safe !== item) (out ??= spec.slice())[i] = safe;
    });
    return (out ?? spec) as T;
  }
  let out: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(spec)) {
    const safe = vegaSafe(value);
    if (safe !== value) (out ??= { ...(spec as Record<string, unknown>) })[key] = safe;
  }
  return (out ?? spec) as T;
}

export const WIDTH = 720;
export const HEIGHT = 220;
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Chart-wide look; explicit so that server-side SVG and the page draw alike. */
export const CONFIG = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  view: { stroke: null },
  // Per-mark ARIA labels format times in the machine's zone (the same run would draw different
  // bytes in Paris and Tokyo) and triple the size of a long series; axes keep theirs.
  mark: { aria: false },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom', direction: 'horizontal', labelLimit: 320 },
  title: { fontSize: 14, anchor: 'start', subtitleColor: '#555' },
} as const;

/** What every single-view chart starts with: schema, look, size and its data inline. */
export function frame(values: readonly object[], height = HEIGHT, width = WIDTH) {
  return { $schema: SCHEMA, config: CONFIG, width, height, data: { values: values as object[] } };
}

/** Step lines of several series over time, from wide rows (time plus one field per series):
 *  cluster CPU and memory, pods running and pending. */
export function stepLinesChart(
  run: RunData,
  chart: { name: string; title: string; caption: string },
  rows: readonly Record<string, number>[],
  series: readonly { name: string; color: string }[],
  unit: string,
): Chart {
  const names = series.map((s) => s.name);
  return {
    ...chart,
    spec: {
      ...frame(rows),
      transform: [{ fold: names, as: ['series', 'value'] }],
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.8 },
      encoding: {
        x: timeX(),
        y: { field: 'value', type: 'quantitative', title: unit },
        color: { field: 'series', type: 'nominal', title: null, scale: { domain: names, range: series.map((s) => s.color) } },
        tooltip: [timeTooltip(), { field: 'series', type: 'nominal' }, { field: 'value', type: 'quantitative', title: unit, format: ',.2f' }],
      },
    },
  };
}

/** Milliseconds since the epoch of a run time in seconds, for temporal axes. */
export function epochMs(run: RunData, tSeconds: number): number {
  return run.startEpochMs + Math.round(tSeconds * 1000);
}

/** Time-axis labels at most: vega's default (one per 40 pixels) put "Mon 05" flush against
 *  "02 AM" on a 720-pixel chart, and the overlap check, which estimates text widths, let them
 *  touch. About one label per 70 to 100 pixels leaves room for the widest ("Mon 05", "12 PM"). */
export const TIME_LABELS = 10;

/** A time axis in UTC: the same labels on every machine, whatever its time zone. */
export function timeX(field = 'time') {
  return { field, type: 'temporal' as const, title: null, scale: { type: 'utc' as const }, axis: { labelOverlap: true, tickCount: TIME_LABELS } };
}

/** The time of a point in a tooltip, in UTC like the axis. */
export function timeTooltip(field = 'time') {
  return { field, type: 'temporal' as const, timeUnit: 'utcyearmonthdatehoursminutes' as const, title: 'time (UTC)', format: '%Y-%m-%d %H:%M' };
}

/** The bucket a series is drawn at, for subtitles: "5-minute samples", "2-hour means". */
export function resolutionNote(run: RunData): string {
  return run.bucketSeconds === run.sampleSeconds ? `sampled every ${durationWords(run.sampleSeconds)}` : `${durationLabel(run.bucketSeconds)} means`;
}

/** 300 -> "5 minutes", 3600 -> "hour". */
export function durationWords(seconds: number): string {
  const [n, unit] = seconds % 86400 === 0 ? [seconds / 86400, 'day'] : seconds % 3600 === 0 ? [seconds / 3600, 'hour'] : seconds % 60 === 0 ? [seconds / 60, 'minute'] : [seconds, 'second'];
  return n === 1 ? unit : `${n} ${unit}s`;
}

/** 300 -> "5-minute", as an adjective. */
export function durationLabel(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}-day`;
  if (seconds % 3600 === 0) return `${seconds / 3600}-hour`;
  if (seconds % 60 === 0) return `${seconds / 60}-minute`;
  return `${seconds}-second`;
}

/** A chart with nothing to draw says so in words, so every chart still renders. */
export function emptyChart(name: string, title: string, caption: string, message: string): Chart {
  return {
    name,
    title,
    caption,
    spec: {
      ...frame([{ message }], 60),
      mark: { type: 'text', fontSize: 13, color: '#555' },
      encoding: { text: { field: 'message', type: 'nominal' } },
    },
  };
}

/** The pool a node belongs to, with a name for nodes from manifests (no pool). */
export function poolName(pool: string): string {
  return pool === '' ? '(node manifests)' : pool;
}
