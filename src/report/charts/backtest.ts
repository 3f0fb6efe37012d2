// Simulated against observed, one chart per series (`capsim backtest`, docs/backtest.md): two
// step lines over the observed window, from backtest-series.csv. Long series are folded into
// means of round buckets (buckets.ts), as every other chart of the report.
import { bucketSecondsFor } from '../buckets.ts';
import { durationWords, frame, timeTooltip, timeX, type Chart } from './chart.ts';

/** One series' points, times in Unix seconds. */
export interface BacktestPoints {
  series: string;
  times: number[];
  observed: number[];
  simulated: number[];
}

const SIDES = [{ side: 'observed', color: '#1f2328' }, { side: 'simulated', color: '#e15759' }] as const;

export function backtestChart(p: BacktestPoints, unit: string, index: number): Chart {
  const step = p.times.length > 1 ? p.times[1] - p.times[0] : 60;
  const span = p.times.length > 0 ? p.times[p.times.length - 1] - p.times[0] : 0;
  const bucket = bucketSecondsFor(span, step);
  const folded = new Map<number, { o: number; s: number; n: number }>();
  p.times.forEach((t, i) => {
    const b = Math.floor((t - p.times[0]) / bucket);
    const f = folded.get(b) ?? { o: 0, s: 0, n: 0 };
    f.o += p.observed[i];
    f.s += p.simulated[i];
    f.n++;
    folded.set(b, f);
  });
  const values = [...folded].flatMap(([b, f]) => SIDES.map(({ side }) => ({
    time: (p.times[0] + b * bucket) * 1000,
    side,
    value: Math.round(((side === 'observed' ? f.o : f.s) / f.n) * 1000) / 1000,
  })));
  const means = bucket === step ? `every ${durationWords(step)}` : `${durationWords(bucket)} means`;
  return {
    name: `backtest-${index + 1}`,
    title: p.series,
    caption: `Observed (black) and simulated (red), ${unit}, ${means}.`,
    spec: {
      ...frame(values, 160),
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
      encoding: {
        x: timeX(),
        y: { field: 'value', type: 'quantitative', title: unit },
        color: { field: 'side', type: 'nominal', title: null, scale: { domain: SIDES.map((s) => s.side), range: SIDES.map((s) => s.color) } },
        tooltip: [timeTooltip(), { field: 'side', type: 'nominal' }, { field: 'value', type: 'quantitative' }],
      },
    },
  };
}
