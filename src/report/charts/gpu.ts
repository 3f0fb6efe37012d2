// GPU allocation and fragmentation over time (gpu.csv, record/gpu.ts), drawn only for a run
// whose nodes had GPUs: how much of the GPU fleet pods hold, and how much of what is idle sits
// stranded on partly used GPUs, where a pod needing a whole GPU cannot go.
import type { RunData } from '../runFiles.ts';
import { readCsv, num } from '../runFiles.ts';
import { chartNumber } from '../buckets.ts';
import { GPU } from '../../outputs/csvFiles.ts';
import { epochMs, frame, resolutionNote, timeTooltip, timeX, type Chart } from './chart.ts';

export interface GpuPoint {
  t: number;
  allocatedPct: number;
  fragmentedPct: number;
  fgdPct: number;
}

/** gpu.csv folded to the report's buckets (means), or null when the run wrote none (no GPUs). */
export async function readGpu(dir: string, bucketSeconds: number): Promise<GpuPoint[] | null> {
  const buckets = new Map<number, { n: number; allocated: number; fragmented: number; fgd: number }>();
  const found = await readCsv(dir, GPU, (f, at) => {
    const t = Math.floor(num(f[at.t]) / bucketSeconds) * bucketSeconds;
    let b = buckets.get(t);
    if (!b) buckets.set(t, (b = { n: 0, allocated: 0, fragmented: 0, fgd: 0 }));
    b.n++;
    b.allocated += num(f[at.gpu_allocated_pct]);
    b.fragmented += num(f[at.gpu_fragmented_pct]);
    b.fgd += num(f[at.gpu_fragmented_fgd_pct]);
  }, { required: false, plain: true });
  if (!found) return null;
  return [...buckets].map(([t, b]) => ({ t, allocatedPct: b.allocated / b.n, fragmentedPct: b.fragmented / b.n, fgdPct: b.fgd / b.n }));
}

export function gpuChart(run: RunData, points: readonly GpuPoint[]): Chart {
  const gpu = run.summary.gpu;
  const figures = gpu ? ` Over the run: ${gpu.allocatedMeanPct}% allocated on average (peak ${gpu.allocatedMaxPct}%), ${gpu.fragmentedMeanPct}% of the idle GPU capacity fragmented on average (peak ${gpu.fragmentedMaxPct}%), ${gpu.fgdMeanPct}% for the task mix (peak ${gpu.fgdMaxPct}%), ${gpu.gpusMax} GPUs at most.` : '';
  const values = points.flatMap((p) => [
    { time: epochMs(run, p.t), series: 'allocated', pct: chartNumber(p.allocatedPct, 4) },
    { time: epochMs(run, p.t), series: 'fragmented: partly used GPUs', pct: chartNumber(p.fragmentedPct, 4) },
    { time: epochMs(run, p.t), series: 'fragmented: FGD (task mix)', pct: chartNumber(p.fgdPct, 4) },
  ]);
  return {
    name: 'gpu',
    title: 'GPUs',
    caption: `Allocated: GPU milli given to pods, % of all GPUs of Ready nodes. Fragmented, % of the idle milli: on partly used GPUs (no whole-GPU pod can use it), and what the run's mix of GPU pods could not use (FGD, ATC'23) (${resolutionNote(run)}; docs/outputs.md "gpu.csv").${figures}`,
    spec: {
      ...frame(values),
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.6 },
      encoding: {
        x: timeX(),
        y: { field: 'pct', type: 'quantitative', title: '%', scale: { domain: [0, 100] } },
        color: { field: 'series', type: 'nominal', title: '', scale: { domain: ['allocated', 'fragmented: partly used GPUs', 'fragmented: FGD (task mix)'], range: ['#4c78a8', '#e45756', '#f58518'] } },
        tooltip: [timeTooltip(), { field: 'series', type: 'nominal' }, { field: 'pct', type: 'quantitative', title: '%', format: ',.2f' }],
      },
    },
  };
}
