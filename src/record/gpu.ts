// GPU allocation and fragmentation over time (issue 20), for runs whose cluster has GPUs:
// gpu.csv every sampleEvery and summary.json's gpu section. Each Ready node's GPUs are read one
// by one (model/gpuDevices.ts, as the GpuShare filter places pods on them):
//  - allocated: the milli given to pods (a whole GPU counts 1000), of all GPUs' milli;
//  - fragmented: free milli on GPUs partly allocated, the simple form of fragmentation in "Beware
//    of Fragmentation" (Weng et al., ATC'23): idle capacity a pod needing a whole GPU cannot use,
//    as a share of all idle GPU milli;
//  - fgd: fragmentation as the paper measures it, for the typical task mix (gpuFragmentation.ts).
// A run whose nodes never have a GPU writes neither (the bytes of its other files do not change).
import type { ApiServer } from '../api/apiServer.ts';
import { GPU, type ColumnOf } from '../outputs/csvFiles.ts';
import { isoTime, pct, round, seconds } from '../outputs/format.ts';
import type { GpuSummary } from '../outputs/summary.ts';
import { MILLI_PER_GPU, gpuCount } from '../model/gpuDevices.ts';
import type { Node } from '../model/node.ts';
import type { LineSink } from './csvSink.ts';
import { FragmentationMeter } from './gpuFragmentation.ts';

export interface GpuSample {
  gpus: number;
  allocatedMilli: number;
  fragmentedMilli: number;
  /** Fragmented milli for the typical task mix (gpuFragmentation.ts). */
  fgdMilli: number;
}

/** The GPUs of the Ready nodes among `nodes` at this instant. */
export function gpuSample(nodes: readonly Node[]): GpuSample {
  let gpus = 0;
  let allocatedMilli = 0;
  let fragmentedMilli = 0;
  for (const node of nodes) {
    if (node.state !== 'Ready') continue;
    const devices = node.info.gpus;
    if (devices === null) continue;
    const t = devices.totals();
    gpus += devices.count;
    allocatedMilli += t.allocated;
    fragmentedMilli += t.fragmented;
  }
  return { gpus, allocatedMilli, fragmentedMilli, fgdMilli: 0 };
}

/** allocated / all GPU milli, and fragmented (both measures) / free GPU milli, in percent (0
 *  without GPUs or free milli). */
export function gpuShares(s: GpuSample): { allocatedPct: number; fragmentedPct: number; fgdPct: number } {
  const total = s.gpus * MILLI_PER_GPU;
  const free = total - s.allocatedMilli;
  const ofFree = (milli: number) => (free > 0 ? pct(milli / free) : 0);
  return { allocatedPct: total > 0 ? pct(s.allocatedMilli / total) : 0, fragmentedPct: ofFree(s.fragmentedMilli), fgdPct: ofFree(s.fgdMilli) };
}

export class GpuRecorder {
  private sink: LineSink<ColumnOf<typeof GPU>> | null = null;
  /** The nodes with GPUs, and how many of api.nodes have been looked at. */
  private readonly gpuNodes: Node[] = [];
  private seen = 0;
  /** Samples taken before a node had a GPU: written as rows of zeros once one has. */
  private before = 0;
  private samples = 0;
  private gpusMax = 0;
  private allocatedSum = 0;
  private allocatedMax = 0;
  private fragmentedSum = 0;
  private fragmentedMax = 0;
  private fgdSum = 0;
  private fgdMax = 0;
  /** The typical task mix and the fragmentation it sees (gpuFragmentation.ts). */
  private readonly meter = new FragmentationMeter();

  constructor(
    private readonly api: ApiServer,
    private readonly startEpochMs: number,
    private readonly sampleEveryMs: number,
    /** Opens gpu.csv (null: a run without per-sample files, e.g. a sweep's). */
    private readonly open: (() => LineSink<ColumnOf<typeof GPU>>) | null,
  ) {
    api.addListener({ podCreated: (pod) => this.meter.podCreated(pod) });
  }

  sample(tMs: number): void {
    // The API server only ever appends nodes (a removed one stays, state Removed): look at the
    // new ones only, so a run without GPUs pays next to nothing per sample.
    const all = this.api.nodes;
    for (; this.seen < all.length; this.seen++) if (gpuCount(all[this.seen].allocatable) > 0) this.gpuNodes.push(all[this.seen]);
    const s = gpuSample(this.gpuNodes);
    s.fgdMilli = this.meter.measure(this.gpuNodes.filter((n) => n.state === 'Ready'));
    if (s.gpus === 0 && this.samples === 0) {
      this.before++;
      return;
    }
    if (this.samples === 0 && this.open) {
      this.sink = this.open();
      for (let i = 0; i < this.before; i++) this.write(i * this.sampleEveryMs, { gpus: 0, allocatedMilli: 0, fragmentedMilli: 0, fgdMilli: 0 });
    }
    this.samples++;
    const shares = gpuShares(s);
    this.gpusMax = Math.max(this.gpusMax, s.gpus);
    this.allocatedSum += shares.allocatedPct;
    this.allocatedMax = Math.max(this.allocatedMax, shares.allocatedPct);
    this.fragmentedSum += shares.fragmentedPct;
    this.fragmentedMax = Math.max(this.fragmentedMax, shares.fragmentedPct);
    this.fgdSum += shares.fgdPct;
    this.fgdMax = Math.max(this.fgdMax, shares.fgdPct);
    this.write(tMs, s);
  }

  private write(tMs: number, s: GpuSample): void {
    if (!this.sink) return;
    const { allocatedPct, fragmentedPct, fgdPct } = gpuShares(s);
    // The GPU columns, in order.
    this.sink.writeLine(
      `${seconds(tMs)},${isoTime(this.startEpochMs, tMs)},${s.gpus},${s.gpus * MILLI_PER_GPU},${s.allocatedMilli},${s.fragmentedMilli},${round(s.fgdMilli, 3)},${allocatedPct},${fragmentedPct},${fgdPct}`,
    );
  }

  /** summary.json's gpu section: null when no node ever had a GPU. Means are over the samples
   *  from the first with a GPU (equally spaced: time-weighted). */
  summary(): GpuSummary | null {
    if (this.samples === 0) return null;
    const all = this.samples;
    return {
      gpusMax: this.gpusMax,
      allocatedMeanPct: round(this.allocatedSum / all, 4),
      allocatedMaxPct: this.allocatedMax,
      fragmentedMeanPct: round(this.fragmentedSum / all, 4),
      fragmentedMaxPct: this.fragmentedMax,
      fgdMeanPct: round(this.fgdSum / all, 4),
      fgdMaxPct: this.fgdMax,
    };
  }

  async drain(): Promise<void> {
    await this.sink?.drain();
  }

  async close(): Promise<void> {
    await this.sink?.close();
  }
}
