// How big a sweep will be, before it starts (size/limits.ts SWEEP_LIMITS): each run within
// the limits of one run, and all of them together within the sweep's. A configuration's size is
// estimated from the scenarios the plan loads anyway (each varied value with the others at their
// first values): the first values' figure plus each varied value's difference from it, exact
// when the varied paths move different things and low when they multiply (a longer duration
// with more replicas). So the configurations that the product of the ratios puts first, where
// such values meet, are loaded and estimated themselves when they come within half a limit:
// those decide whether a run is too large, are named when it is, and count with their own
// figures in the sweep's total.
import { InputError, type Problem } from '../scenario/errors.ts';
import { loadScenario } from '../scenario/load.ts';
import { estimateRunSize, type RunSize, type SizeOptions } from '../size/runSize.ts';
import { RUN_LIMITS, SWEEP_LIMITS, excesses, limitProblems } from '../size/limits.ts';
import { ALLOW_LARGE, formatBytes, formatWall } from '../scenario/limits.ts';
import type { Scenario } from '../model/scenario.ts';
import { configSets, shardRuns, type Config, type SweepPlan } from './plan.ts';

type Figure = 'bytes' | 'memoryBytes' | 'wallMs';
const FIGURES: readonly Figure[] = ['bytes', 'memoryBytes', 'wallMs'];
/** Configurations estimated themselves per figure: those the products put first. */
const LOADED_PER_FIGURE = 4;

/** What a run keeps without --keep-all: summary.json, run.json and a series of at most 200 rows
 *  (runStore.ts), about 20 KB on study-web. */
function keptBytes(size: RunSize): number {
  return 4_000 + Math.min(size.samples, 201) * 120;
}

/** Collects the sizes of the scenarios the plan loads (PlanOptions.onScenario). */
export class TrialSizes {
  /** [vary][value] */
  readonly trials: RunSize[][] = [];

  constructor(private readonly options: SizeOptions) {}

  readonly record = (scenario: Scenario, trial: { vary: number; value: number } | null): void => {
    if (!trial) return;
    (this.trials[trial.vary] ??= [])[trial.value] = estimateRunSize(scenario, this.options);
  };

  /** The runs of each varied value of `config`, with the others at their first values. */
  private chosen(plan: SweepPlan, config: Config): RunSize[] {
    return plan.varies.map((v, j) => this.trials[j][Math.max(0, v.values.indexOf(config.values[j]))]);
  }

  /** The first values' figure plus each varied value's difference from it. */
  sum(plan: SweepPlan, config: Config, figure: Figure): number {
    const first = this.trials[0][0][figure];
    return this.chosen(plan, config).reduce((total, size) => total + size[figure] - first, first);
  }

  /** The first values' figure times each varied value's ratio to it: high where values add. */
  product(plan: SweepPlan, config: Config, figure: Figure): number {
    const first = this.trials[0][0][figure];
    return this.chosen(plan, config).reduce((total, size) => total * (size[figure] / first), first);
  }
}

export interface SweepCheck {
  parallel: number;
  keepAll: boolean;
  shard: { index: number; count: number } | null;
  /** --emit: the runs go to a cluster; only each run's own limits apply. */
  emit: boolean;
  allowLarge: boolean;
}

/** Throws an InputError (exit 2, nothing run or written) when a run of the sweep would go past a
 *  run's limits or the sweep past its own, unless --allow-large. */
export async function checkSweepSize(plan: SweepPlan, sizes: TrialSizes, check: SweepCheck): Promise<void> {
  if (check.allowLarge || sizes.trials.length === 0) return;
  const problems: Problem[] = [];
  const options: SizeOptions = { detail: check.keepAll, report: check.keepAll };

  // Each run: the configurations the products (or the sums, when a value lowers a figure) put
  // first, estimated themselves when they come within half a limit: most sweeps load nothing more.
  const exact = new Map<Config, RunSize>();
  const screen = (config: Config, f: Figure) => Math.max(sizes.product(plan, config, f), sizes.sum(plan, config, f));
  const limitOf = { bytes: RUN_LIMITS.writtenBytes, memoryBytes: RUN_LIMITS.memoryBytes, wallMs: RUN_LIMITS.wallMs } as const;
  for (const figure of FIGURES) {
    const ranked = [...plan.configs].sort((a, b) => screen(b, figure) - screen(a, figure) || a.index - b.index);
    for (const config of ranked.slice(0, LOADED_PER_FIGURE)) {
      if (exact.has(config) || screen(config, figure) <= limitOf[figure] / 2) continue;
      const scenario = await loadScenario(plan.scenarioFile, { set: configSets(plan, config), allowLarge: true });
      exact.set(config, estimateRunSize(scenario, options));
    }
  }
  const figure = (config: Config, f: Figure) => exact.get(config)?.[f] ?? sizes.sum(plan, config, f);
  // Per limit, the run furthest past it.
  const what = { bytes: 'written', memoryBytes: 'memory', wallMs: 'wall' } as const;
  for (const f of FIGURES) {
    const [worst] = [...exact].sort((a, b) => b[1][f] - a[1][f] || a[0].index - b[0].index);
    if (!worst) continue;
    const [config, size] = worst;
    const scope = `run ${config.id} of the sweep (${plan.varies.map((v, j) => `${v.path}=${config.values[j]}`).join(', ')})`;
    problems.push(...limitProblems(plan.scenarioFile, excesses(size, RUN_LIMITS, scope).filter((e) => e.what === what[f])));
  }

  // All runs together: what they keep, the memory of those running at once, the wall time.
  if (!check.emit) {
    const runs = shardRuns(plan.runs, check.shard);
    const workers = Math.max(1, Math.min(check.parallel, runs.length));
    let kept = 0;
    let wallMs = 0;
    for (const run of runs) {
      const config = plan.configs[run.config];
      wallMs += figure(config, 'wallMs');
      kept += check.keepAll ? figure(config, 'bytes') : keptBytes(sizes.trials[0][0]);
    }
    wallMs /= workers;
    const memory = workers * Math.max(...plan.configs.map((c) => figure(c, 'memoryBytes')));
    const anyway = `or pass ${ALLOW_LARGE} to run it anyway`;
    const n = runs.length.toLocaleString('en-US');
    const problem = (message: string, hint: string) => problems.push({ file: plan.scenarioFile, line: 0, column: 0, path: '', message, hint });
    if (kept > SWEEP_LIMITS.writtenBytes) {
      problem(`this sweep would keep about ${formatBytes(kept)} (${n} runs${check.keepAll ? ' with --keep-all' : ''}); the limit is ${formatBytes(SWEEP_LIMITS.writtenBytes)}`, `${check.keepAll ? 'drop --keep-all, ' : ''}use fewer --vary values or --seeds, or split it with --shard, ${anyway}`);
    }
    if (memory > SWEEP_LIMITS.memoryBytes) {
      const fit = Math.floor(SWEEP_LIMITS.memoryBytes / (memory / workers));
      problem(`this sweep would need about ${formatBytes(memory)} of memory (${workers} workers, each holding a run of up to ${formatBytes(memory / workers)}); the limit is ${formatBytes(SWEEP_LIMITS.memoryBytes)}`, `${fit >= 1 ? `lower --parallel to ${fit}, ` : ''}${anyway}`);
    }
    if (wallMs > SWEEP_LIMITS.wallMs) {
      problem(`this sweep would take about ${formatWall(wallMs)} (${n} runs of about ${formatWall((wallMs * workers) / runs.length)} each on ${workers} worker${workers === 1 ? '' : 's'}); the limit is ${formatWall(SWEEP_LIMITS.wallMs)}`, `use fewer --vary values or --seeds, run it on a cluster (--emit k8s-job), ${anyway}`);
    }
  }
  if (problems.length > 0) throw new InputError(problems);
}
