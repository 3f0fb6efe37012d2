// The usage history the VPA recommender reads (metricsApi.ts UsageHistory): what the kubelet's
// stats showed at every sample instant t = k × step (after everything at t), kept without a
// number per pod per instant, because pods of one group show the same numbers:
// - CPU: a pod's containers get what their group gives a Ready or an idle pod (stats.ts
//   containerCpu; on quiet nodes what its spec gives), so the samples of one instant are a few
//   (container, CPU, pod count) triples per workload. They change only when a group of the
//   workload is recomputed (its version), so runs of instants with the same triples are one run.
// - Memory: a pod's container uses its spec's load memory for its class (Ready or idle) plus the
//   leak since the container started (podGroups.ts containerMemory). Each spec keeps its load
//   memory from the instant it holds (at most one entry per instant), each pod its class and
//   container starts from the instant they hold, and the largest sample of a range of instants is
//   read from those entries: with a leak, each stretch of one load peaks at its last instant, so
//   the largest is where load + leak × t is, and block maxima of that make a day's read short.
import type { CpuSampleRun, MemoryPeak, UsageHistory } from '../metrics/metricsApi.ts';
import type { Pod } from '../model/pod.ts';
import type { ContainerModel } from '../workload/usage.ts';
import { containerCpu } from './stats.ts';
import type { PodGroups, PodRun, Spec, WorkloadRun } from './podGroups.ts';

/** Entries per block of precomputed maxima. */
const BLOCK = 32;

/** Instants from which each entry holds; entries before `head` are forgotten. */
class Instants {
  readonly at: number[] = [];
  head = 0;

  /** The index of the entry holding at instant k (the last at or before it), or head - 1. */
  indexAt(k: number): number {
    let lo = this.head;
    let hi = this.at.length - 1;
    if (hi < lo || this.at[lo] > k) return lo - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.at[mid] <= k) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The last instant of entry i (Infinity for the last entry). */
  lastOf(i: number): number {
    return i + 1 < this.at.length ? this.at[i + 1] - 1 : Infinity;
  }

  /** Whether a new change at instant k replaces the last entry (same instant) or follows it. */
  replacesLast(k: number): boolean {
    return this.at.length > this.head && this.at[this.at.length - 1] === k;
  }
}

/** A spec's load memory per container, for a Ready pod (class 0) and an idle one (class 1). */
class LoadTimeline extends Instants {
  /** [class][container][entry]: the load memory from at[entry] on. */
  private readonly load: number[][][];
  /** [class][container][block]: the entry of the block with the largest key (whole blocks). */
  private readonly best: number[][][];
  /** Per container: leak per instant (bytes). */
  private readonly leakPerInstant: number[];

  constructor(models: readonly ContainerModel[], stepMs: number) {
    super();
    const perClass = () => [0, 1].map(() => models.map((): number[] => []));
    this.load = perClass();
    this.best = perClass();
    this.leakPerInstant = models.map((m) => m.leakBytesPerMs * stepMs);
  }

  set(k: number, memReady: readonly number[], memIdle: readonly number[]): void {
    const n = this.at.length;
    const replace = this.replacesLast(k);
    if (!replace) this.at.push(k);
    const j = replace ? n - 1 : n;
    for (let c = 0; c < this.leakPerInstant.length; c++) {
      this.load[0][c][j] = memReady[c];
      this.load[1][c][j] = memIdle[c];
    }
    // The new entry ended the block its predecessor is last of.
    if (!replace && n > 0 && n % BLOCK === 0) {
      for (let cls = 0; cls < 2; cls++) {
        for (let c = 0; c < this.leakPerInstant.length; c++) {
          let arg = n - BLOCK;
          for (let i = arg + 1; i < n; i++) if (this.key(cls, c, i) > this.key(cls, c, arg)) arg = i;
          this.best[cls][c].push(arg);
        }
      }
    }
  }

  /** load + leak × (the last instant of entry j): where an ended entry's samples peak. */
  private key(cls: number, c: number, j: number): number {
    return this.load[cls][c][j] + this.leakPerInstant[c] * this.lastOf(j);
  }

  loadAt(ready: boolean, c: number, j: number): number {
    return this.load[ready ? 0 : 1][c][j];
  }

  /** The entry and instant in [lo, hi] where load + leak × t is largest (hi within the entries). */
  peak(ready: boolean, c: number, lo: number, hi: number): { entry: number; instant: number } {
    const cls = ready ? 0 : 1;
    const load = this.load[cls][c];
    const best = this.best[cls][c];
    const perInstant = this.leakPerInstant[c];
    const j0 = Math.max(this.head, this.indexAt(lo));
    const j1 = this.indexAt(hi);
    // The first and last entries may hold only partly within [lo, hi]: their last instant there.
    let entry = j0;
    let instant = Math.min(hi, this.lastOf(j0));
    let top = load[j0] + perInstant * instant;
    if (j1 > j0 && load[j1] + perInstant * hi > top) {
      entry = j1;
      instant = hi;
      top = load[j1] + perInstant * hi;
    }
    for (let j = j0 + 1; j < j1; ) {
      const whole = j % BLOCK === 0 && j + BLOCK <= j1;
      const arg = whole ? best[j / BLOCK] : j;
      const key = this.key(cls, c, arg);
      if (key > top) {
        entry = arg;
        top = key;
      }
      j += whole ? BLOCK : 1;
    }
    if (entry !== j0 && entry !== j1) instant = this.lastOf(entry);
    return { entry, instant };
  }

  /** Forgets the entries that ended before instant k, whole blocks at a time. */
  dropBefore(k: number): void {
    this.head = Math.max(this.head, this.indexAt(k));
    const blocks = Math.floor(this.head / BLOCK);
    if (blocks < 8) return;
    // Entries stay block-aligned: index i becomes i - cut, block b becomes b - blocks.
    const cut = blocks * BLOCK;
    this.at.splice(0, cut);
    for (const list of this.load) for (const values of list) values.splice(0, cut);
    for (const list of this.best) {
      for (const args of list) {
        args.splice(0, blocks);
        for (let b = 0; b < args.length; b++) args[b] -= cut;
      }
    }
    this.head -= cut;
  }
}

/** A pod's classes (Ready, else idle) and container start times (-1: not running) over time. */
class PodTimeline extends Instants {
  readonly ready: boolean[] = [];
  readonly starts: (readonly number[])[] = [];
  /** Gone from its node: its last entry has nothing running. */
  gone = false;

  constructor(readonly spec: Spec) {
    super();
  }

  set(k: number, ready: boolean, starts: readonly number[]): void {
    if (!this.replacesLast(k)) this.at.push(k);
    this.ready[this.at.length - 1] = ready;
    this.starts[this.at.length - 1] = starts;
  }

  dropBefore(k: number): void {
    this.head = Math.max(this.head, this.indexAt(k));
    if (this.head < 16) return;
    this.at.splice(0, this.head);
    this.ready.splice(0, this.head);
    this.starts.splice(0, this.head);
    this.head = 0;
  }
}

/** One instant's CPU samples: per (container name, CPU), how many running containers; the first
 *  n entries of the arrays (reused, never shortened). */
interface CpuTriples {
  container: string[];
  cpuMilli: number[];
  count: number[];
  n: number;
}

/** A workload's CPU samples: the open run, and the ended ones not taken yet (columns). */
interface CpuRecord extends CpuTriples {
  version: number;
  fromMs: number;
  instants: number;
  ended: CpuTriples & { fromMs: number[]; instants: number[] };
}

export class UsageHistoryRecorder implements UsageHistory {
  lastSampleMs = -1;
  /** Workload samples taken by walking the groups and by counts (for tests). */
  walkedSamples = 0;
  countedSamples = 0;
  private readonly cpu = new Map<WorkloadRun, CpuRecord>();
  private readonly withEnded = new Set<WorkloadRun>();
  private readonly pods = new Map<number, PodTimeline>();
  private readonly specs = new Map<Spec, LoadTimeline>();
  /** Scratch for one instant's CPU triples. */
  private readonly scratch: CpuTriples = { container: [], cpuMilli: [], count: [], n: 0 };

  /** Samples both ways and throws where they differ (CAPSIM_CHECK_CPU_SAMPLES=1, for tests). */
  private readonly check = process.env.CAPSIM_CHECK_CPU_SAMPLES === '1';
  private readonly checkScratch: CpuTriples = { container: [], cpuMilli: [], count: [], n: 0 };

  constructor(
    private readonly groups: PodGroups,
    readonly stepMs: number,
    /** Whether every group is as last recomputed (no flush pending): see cpuSamplesByCounts. */
    private readonly settled: () => boolean = () => false,
  ) {}

  /** The instant a change at tMs first shows in. */
  private instantOf(tMs: number): number {
    return Math.ceil(tMs / this.stepMs);
  }

  // ---- recording ----------------------------------------------------------------------------

  /** Samples the instant tMs (a multiple of the step): each workload's CPU triples, extending the
   *  open run while they stay the same. */
  sample(tMs: number): void {
    this.lastSampleMs = tMs;
    const byCounts = this.groups.contendedNodes === 0 && this.settled();
    for (const w of this.groups.workloads.values()) {
      let r = this.cpu.get(w);
      if (!r) {
        const ended = { container: [], cpuMilli: [], count: [], n: 0, fromMs: [], instants: [] };
        this.cpu.set(w, (r = { version: NaN, container: [], cpuMilli: [], count: [], n: 0, fromMs: tMs, instants: 0, ended }));
      }
      if (r.version !== w.version) {
        r.version = w.version;
        const now = this.scratch;
        if (byCounts) {
          this.countedSamples++;
          cpuSamplesByCounts(w, now);
          if (this.check) {
            cpuSamples(w, this.checkScratch);
            if (!sameSamples(now, this.checkScratch)) throw new Error(`CPU samples of ${w.ref} at ${tMs} ms differ counted and walked`);
          }
        } else {
          this.walkedSamples++;
          cpuSamples(w, now);
        }
        if (!sameSamples(now, r)) {
          this.endRun(w, r);
          // The scratch becomes the open run's; the old run's arrays the next scratch.
          const { container, cpuMilli, count } = r;
          r.container = now.container;
          r.cpuMilli = now.cpuMilli;
          r.count = now.count;
          r.n = now.n;
          now.container = container;
          now.cpuMilli = cpuMilli;
          now.count = count;
        }
      }
      if (r.instants === 0) r.fromMs = tMs;
      r.instants++;
    }
  }

  private endRun(w: WorkloadRun, r: CpuRecord): void {
    if (r.instants === 0 || r.n === 0) return;
    const e = r.ended;
    for (let i = 0; i < r.n; i++) {
      const j = e.n++;
      e.container[j] = r.container[i];
      e.cpuMilli[j] = r.cpuMilli[i];
      e.count[j] = r.count[i];
      e.fromMs[j] = r.fromMs;
      e.instants[j] = r.instants;
    }
    this.withEnded.add(w);
    r.instants = 0;
  }

  /** A pod's class or a container's start changed (or it started): its state from now on. */
  podChanged(run: PodRun, nowMs: number): void {
    // Only a workload's pods are read (the VPA feeder's, vpa/feeder.ts podStarted): a bare pod's
    // timeline would be kept until the daily discard for nothing (a pod trace's million pods).
    if (!run.pod.workload) return;
    let rec = this.pods.get(run.pod.uid);
    if (!rec) {
      rec = new PodTimeline(run.group.spec);
      this.pods.set(run.pod.uid, rec);
      this.loadTimeline(run.group.spec, nowMs);
    }
    // A pod on a machine that is down reports nothing (stats.ts podUsage).
    rec.set(this.instantOf(nowMs), run.cls === 'ready', run.cls === 'dead' ? run.starts.map(() => -1) : run.starts.slice());
  }

  /** The pod left its node: nothing of it runs from now on. */
  podGone(run: PodRun, nowMs: number): void {
    const rec = this.pods.get(run.pod.uid);
    if (!rec) return;
    rec.set(this.instantOf(nowMs), false, run.starts.map(() => -1));
    rec.gone = true;
  }

  /** The spec's load memory over time, kept from its first pod on. */
  private loadTimeline(spec: Spec, nowMs: number): LoadTimeline {
    let timeline = this.specs.get(spec);
    if (!timeline) {
      const t = (timeline = new LoadTimeline(spec.models, this.stepMs));
      this.specs.set(spec, t);
      spec.memoryTimeline = { record: (tMs, memReady, memIdle) => t.set(this.instantOf(tMs), memReady, memIdle) };
      t.set(this.instantOf(nowMs), spec.memReady, spec.memIdle);
    }
    return timeline;
  }

  // ---- reading ------------------------------------------------------------------------------

  takeCpu(ref: string, visit: (run: CpuSampleRun) => void): void {
    const w = this.groups.workloads.get(ref);
    const r = w && this.cpu.get(w);
    if (!w || !r) return;
    this.takeEnded(r, visit);
    this.withEnded.delete(w);
    if (r.instants === 0) return;
    const run = this.run;
    for (let i = 0; i < r.n; i++) {
      run.container = r.container[i];
      run.cpuMilli = r.cpuMilli[i];
      run.count = r.count[i];
      run.fromMs = r.fromMs;
      run.instants = r.instants;
      visit(run);
    }
    r.fromMs += r.instants * this.stepMs;
    r.instants = 0;
  }

  takeEndedCpu(visit: (run: CpuSampleRun, ref: string) => void): void {
    for (const w of this.withEnded) {
      this.ref = w.ref;
      this.takeEnded(this.cpu.get(w)!, visit);
    }
    this.withEnded.clear();
  }

  /** What takeEnded passes on: a run, reused for every call, and (for takeEndedCpu) its ref. */
  private readonly run = { container: '', cpuMilli: 0, count: 0, fromMs: 0, instants: 0 };
  private ref = '';

  private takeEnded(r: CpuRecord, visit: (run: CpuSampleRun, ref: string) => void): void {
    const e = r.ended;
    const run = this.run;
    for (let i = 0; i < e.n; i++) {
      run.container = e.container[i];
      run.cpuMilli = e.cpuMilli[i];
      run.count = e.count[i];
      run.fromMs = e.fromMs[i];
      run.instants = e.instants[i];
      visit(run, this.ref);
    }
    e.n = 0;
  }

  memoryPeak(pod: Pod, container: string, fromMs: number, toMs: number): MemoryPeak | null {
    const rec = this.pods.get(pod.uid);
    const c = rec ? rec.spec.models.findIndex((m) => m.name === container) : -1;
    const timeline = rec && this.specs.get(rec.spec);
    if (!rec || !timeline || c < 0) return null;
    const step = this.stepMs;
    const leak = rec.spec.models[c].leakBytesPerMs;
    const a = Math.max(0, Math.ceil(fromMs / step));
    const b = Math.floor(Math.min(toMs, this.lastSampleMs) / step);
    let bytes = -Infinity;
    let first = -1;
    let last = -1;
    for (let i = Math.max(rec.head, rec.indexAt(a)); i < rec.at.length && rec.at[i] <= b; i++) {
      const start = rec.starts[i][c];
      const lo = Math.max(a, rec.at[i]);
      const hi = Math.min(b, rec.lastOf(i));
      if (start < 0 || lo > hi) continue;
      if (first < 0) first = lo;
      last = hi;
      const { entry, instant } = timeline.peak(rec.ready[i], c, lo, hi);
      // As podGroups.ts containerMemory computes it at that instant.
      const v = timeline.loadAt(rec.ready[i], c, entry) + leak * (instant * step - start);
      if (v > bytes) bytes = v;
    }
    return first < 0 ? null : { bytes, firstMs: first * step, lastMs: last * step };
  }

  discardBefore(ms: number): void {
    const k = this.instantOf(ms);
    const used = new Set<Spec>();
    for (const [uid, rec] of this.pods) {
      rec.dropBefore(k);
      if (rec.gone && rec.at[rec.at.length - 1] <= k) this.pods.delete(uid);
      else used.add(rec.spec);
    }
    for (const [spec, timeline] of this.specs) {
      timeline.dropBefore(k);
      // A spec no pod uses any more stops recording (a later pod starts it afresh).
      if (!used.has(spec)) {
        spec.memoryTimeline = null;
        this.specs.delete(spec);
      }
    }
  }
}

/** The samples of the pods on quiet nodes, first in `out` (emptied): each spec's virtual group
 *  counts them, and they get what their spec gives. */
function virtualTriples(w: WorkloadRun, out: CpuTriples): void {
  out.n = 0;
  for (const spec of w.specs.values()) {
    const v = spec.virtual;
    if (!v) continue;
    for (let c = 0; c < spec.models.length; c++) {
      addTriple(out, spec.models[c].name, spec.cappedReady[c], v.ready);
      addTriple(out, spec.models[c].name, spec.cappedIdle[c], v.idleRunning[c]);
    }
  }
}

/** The CPU samples of one instant into `out`: per container name and CPU, how many running
 *  containers. Pods on quiet nodes are counted in their spec's virtual group and get what their
 *  spec gives; the others what their group got. */
function cpuSamples(w: WorkloadRun, out: CpuTriples): void {
  virtualTriples(w, out);
  if (w.loudGroups === 0) return;
  for (const g of w.groups) {
    if (g.quiet) continue;
    // Ready pods run every container; idle ones those counted in idleRunning.
    for (let c = 0; c < g.models.length; c++) {
      addTriple(out, g.models[c].name, containerCpu(g, c, true), g.ready);
      addTriple(out, g.models[c].name, containerCpu(g, c, false), g.idleRunning[c]);
    }
  }
}

/** cpuSamples while no node is contended and every group is as last recomputed: then a loud
 *  group's Ready and idle pods get what their spec gives (recomputeGroup copies it into readyGot
 *  and idleGot), so the samples are the spec's values counted by its loud sums (exact integers).
 *  The triples come in the order cpuSamples finds them: a triple not there after the virtual
 *  groups is placed where the first group having it is, so the groups are walked only until
 *  every such triple is placed (usually the first group). */
function cpuSamplesByCounts(w: WorkloadRun, out: CpuTriples): void {
  virtualTriples(w, out);
  if (w.loudGroups === 0) return;
  // Triples the loud groups add that the virtual ones did not: placed with a zero count first.
  const virtualN = out.n;
  let missing = 0;
  for (const spec of w.specs.values()) {
    for (let c = 0; c < spec.models.length; c++) {
      if (spec.loud.ready > 0 && placeTriple(out, spec.models[c].name, spec.cappedReady[c])) missing++;
      if (spec.loud.idleRunning[c] > 0 && placeTriple(out, spec.models[c].name, spec.cappedIdle[c])) missing++;
    }
  }
  if (missing > 0) {
    // Their order: as the groups first show them.
    const found = out.n;
    out.n = virtualN;
    const groups = w.groups;
    for (let i = 0; i < groups.length && out.n < found; i++) {
      const g = groups[i];
      if (g.quiet) continue;
      const sp = g.spec;
      for (let c = 0; c < g.models.length; c++) {
        if (g.ready > 0) placeTriple(out, g.models[c].name, sp.cappedReady[c]);
        if (g.idleRunning[c] > 0) placeTriple(out, g.models[c].name, sp.cappedIdle[c]);
      }
    }
  }
  for (const spec of w.specs.values()) {
    for (let c = 0; c < spec.models.length; c++) {
      addTriple(out, spec.models[c].name, spec.cappedReady[c], spec.loud.ready);
      addTriple(out, spec.models[c].name, spec.cappedIdle[c], spec.loud.idleRunning[c]);
    }
  }
}

/** Appends (container, cpuMilli) with a zero count unless it is there; whether it was not. */
function placeTriple(out: CpuTriples, container: string, cpuMilli: number): boolean {
  for (let i = 0; i < out.n; i++) if (out.cpuMilli[i] === cpuMilli && out.container[i] === container) return false;
  const i = out.n++;
  out.container[i] = container;
  out.cpuMilli[i] = cpuMilli;
  out.count[i] = 0;
  return true;
}

function addTriple(out: CpuTriples, container: string, cpuMilli: number, count: number): void {
  if (count <= 0) return;
  for (let i = 0; i < out.n; i++) {
    if (out.cpuMilli[i] === cpuMilli && out.container[i] === container) {
      out.count[i] += count;
      return;
    }
  }
  const i = out.n++;
  out.container[i] = container;
  out.cpuMilli[i] = cpuMilli;
  out.count[i] = count;
}

function sameSamples(a: CpuTriples, b: CpuTriples): boolean {
  if (a.n !== b.n) return false;
  for (let i = 0; i < a.n; i++) {
    if (a.container[i] !== b.container[i] || a.cpuMilli[i] !== b.cpuMilli[i] || a.count[i] !== b.count[i]) return false;
  }
  return true;
}
