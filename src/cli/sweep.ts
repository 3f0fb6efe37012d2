// capsim sweep: a study over parameters and seeds (DESIGN §5), on this machine's cores, as one
// shard of a Kubernetes Indexed Job, or merging the shards of one. The sweep's modules (the
// loader, the simulator, the worker pool) are imported when the command runs, so that other
// commands start without them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { InputError } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import type { Summary } from '../outputs/summary.ts';
import type { SweepPlan } from '../sweep/plan.ts';
import type { Study, SweepProgress } from '../sweep/sweep.ts';
import type { Analysis } from '../sweep/study.ts';
import { EXIT_OK, EXIT_SIMULATION, reportError } from './exit.ts';
import { allowLargeOption, formatOption, parseFormats, parseTables, scenarioOptions, tablesOption } from './options.ts';
import { EXIT_INTERRUPTED, listenForInterrupt, lockedAsInput } from './outputGuard.ts';
import { outputOption, renderData, renderTables, type Output } from './output.ts';
import type { TerminalTable } from '../outputs/terminalTable.ts';

interface SweepArgs {
  scenario?: string;
  vary?: string[];
  set?: string[];
  seed?: number;
  seeds: number;
  parallel?: number;
  out?: string;
  keepAll: boolean;
  tables: string;
  objective?: string;
  constraint?: string[];
  shard?: string;
  merge?: string[];
  emit?: string[];
  shards?: number;
  jobParallelism?: number;
  image?: string;
  cpu?: string;
  memory?: string;
  pvc?: string;
  namespace?: string;
  format: string;
  quiet: boolean;
  allowLarge?: boolean;
  output: Output;
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep [scenario]',
  describe: 'Run a scenario over the cross product of varied values and seeds; find the best configuration',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', describe: 'Scenario file (YAML or JSON)' })
      .options({
        vary: { type: 'string', array: true, describe: 'PATH=v1,v2,...: values to try (repeatable; the cross product is run)' },
        ...scenarioOptions,
        seeds: { type: 'number', default: 1, describe: "Seeds per configuration: the scenario's seed, +1, +2, ..." },
        parallel: { type: 'number', describe: `Worker processes (default: the number of cores, ${os.availableParallelism()}; with --emit: per pod)` },
        out: { type: 'string', describe: 'Output directory (default: reports/<scenario name>-sweep/)' },
        'keep-all': { type: 'boolean', default: false, describe: "Keep every run's output files (default: summary.json and a compact timeseries.csv)" },
        tables: { ...tablesOption.tables, describe: "With --keep-all: the form of each run's tables, csv or parquet (without it a run keeps summary.json and a compact timeseries.csv)" },
        objective: { type: 'string', describe: 'Figure to minimize, e.g. cost.totalUsd or carbon.kgCo2e (max:KEY to maximize)' },
        constraint: { type: 'string', array: true, describe: "Condition every seed must meet, e.g. 'demand.servedPct>=99.9' (repeatable)" },
        shard: { type: 'string', describe: 'i/N: run only this shard of the runs (an Indexed Job completion)' },
        merge: { type: 'string', array: true, describe: 'Join the --out directories of shards into --out' },
        emit: { type: 'string', array: true, nargs: 2, describe: 'k8s-job DIR: write the ConfigMap, Indexed Job, PVC and fetch pod that run this sweep on a cluster' },
        shards: { type: 'number', describe: 'With --emit: completions of the Job (default: min(runs, 20))' },
        'job-parallelism': { type: 'number', describe: 'With --emit: pods at once (default: min(shards, 10))' },
        image: { type: 'string', describe: 'With --emit: container image (default: capsim:<version>, see Dockerfile)' },
        cpu: { type: 'string', describe: 'With --emit: CPU request per pod (default 2)' },
        memory: { type: 'string', describe: 'With --emit: memory request and limit per pod (default 2Gi)' },
        pvc: { type: 'string', describe: 'With --emit: PersistentVolumeClaim for results (default capsim-results)' },
        namespace: { type: 'string', describe: 'With --emit: namespace of the objects' },
        ...formatOption,
        ...allowLargeOption,
        ...outputOption,
        quiet: { type: 'boolean', default: false, describe: 'Print only errors and the result' },
      })
      .example("$0 sweep scenarios/study-web.yaml --vary 'spec.cluster.nodePools[0].instanceType=aws/m5.xlarge,aws/m5.2xlarge' --seeds 3", 'Two node types, three seeds each')
      .example("$0 sweep s.yaml --vary ... --objective cost.totalUsd --constraint 'demand.servedPct>=99.9'", 'The cheapest configuration that serves 99.9%')
      .example("$0 sweep s.yaml --vary ... --objective carbon.kgCo2e --constraint 'cost.totalUsd<=500'", 'The lowest-carbon configuration within a budget')
      .example('$0 sweep s.yaml --vary ... --emit k8s-job k8s/', 'Manifests to run it as an Indexed Job')
      .example('$0 sweep --merge shard-0 shard-1 --out reports/s-sweep', 'Join the shards')
      .example("$0 sweep s.yaml --vary ... --objective cost.totalUsd -o json | jq '.configs[0]'", 'The configurations ranked, best first, for a program') as never,
  handler: async (args: ArgumentsCamelCase<SweepArgs>) => {
    process.exitCode = await sweep(args);
  },
};

async function sweep(args: SweepArgs): Promise<number> {
  try {
    const formats = parseFormats(args.format);
    if (args.merge) return await merge(args, formats);
    if (!args.scenario) throw new InputError([{ file: 'capsim sweep', line: 0, column: 0, path: '', message: 'names no scenario', hint: 'capsim sweep <scenario.yaml> --vary PATH=v1,v2 (or --merge DIR...)' }]);
    const sets = [...(args.set ?? []), ...(args.seed !== undefined ? [`spec.seed=${args.seed}`] : [])];
    const [{ makePlan, parseShard }, { TrialSizes, checkSweepSize }] = await Promise.all([import('../sweep/plan.ts'), import('../sweep/sweepSize.ts')]);
    const sizes = new TrialSizes({ detail: args.keepAll, report: args.keepAll });
    const plan = await makePlan(args.scenario, { varies: args.vary ?? [], sets, seeds: args.seeds, allowLarge: args.allowLarge, onScenario: sizes.record });
    const shard = args.shard ? parseShard(args.shard) : null;
    const tables = parseTables(args.tables ?? 'csv');
    if (tables !== 'csv' && args.emit) throw new InputError([{ file: '--tables', line: 0, column: 0, path: '', message: 'is not passed to the pods of --emit', hint: 'leave --tables out with --emit' }]);
    const parallel = args.parallel ?? os.availableParallelism();
    if (!args.emit && (!Number.isInteger(parallel) || parallel < 1)) throw new InputError([{ file: '--parallel', line: 0, column: 0, path: '', message: `must be a whole number of at least 1, not ${parallel}` }]);
    // Refused before anything runs when a run, or all of them, would go past the limits.
    await checkSweepSize(plan, sizes, { parallel, keepAll: args.keepAll, shard, emit: args.emit !== undefined, allowLarge: args.allowLarge ?? false });
    const study = await readStudy(args, plan);
    if (args.emit) return await emit(args, plan);
    const out = args.out ?? path.join('reports', `${plan.scenarioName}-sweep`);

    const { runSweep } = await import('../sweep/sweep.ts');
    const interrupt = listenForInterrupt();
    const bar = await progressBar(args.quiet);
    const started = performance.now();
    let result: Awaited<ReturnType<typeof runSweep>>;
    try {
      result = await runSweep(plan, { out, parallel, keepAll: args.keepAll, tables, shard, study, formats, onProgress: bar.update, signal: interrupt.signal, onNote: (note) => process.stderr.write(`capsim: note: ${note}\n`) });
    } finally {
      bar.stop();
      interrupt.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    const dir = displayPath(result.outDir);
    if (result.interrupted) {
      process.stderr.write(`capsim: sweep interrupted: ${result.skipped + result.ran} of ${result.total} runs finished and kept in ${dir}/runs/; run the same command again to resume.\n`);
      return EXIT_INTERRUPTED;
    }
    const workers = Math.min(parallel, Math.max(result.ran, 1));
    process.stderr.write(
      `capsim: ${plan.scenarioName}: ${result.total} runs${shard ? ` (shard ${shard.index}/${shard.count} of ${plan.runs.length})` : ''}: ` +
        `${result.ran} ran, ${result.skipped} already done, ${result.failed} failed, in ${seconds.toFixed(1)} s` +
        `${result.ran > 0 ? ` on ${workers} worker${workers === 1 ? '' : 's'}` : ''}\n`,
    );
    await printStudy(args.output, result.analysis, plan, dir, formats);
    return result.failed === result.total && result.total > 0 ? EXIT_SIMULATION : EXIT_OK;
  } catch (error) {
    return reportError(lockedAsInput(error));
  }
}

/** The objective and constraints, their keys checked against the figures a run of this scenario
 *  reports (a one-second run of it), so a misspelt key stops the sweep before it starts. */
async function readStudy(args: SweepArgs, plan: SweepPlan): Promise<Study> {
  const { checkKeys, parseConstraint, parseObjective } = await import('../sweep/study.ts');
  const study: Study = { objective: args.objective ? parseObjective(args.objective) : null, constraints: (args.constraint ?? []).map(parseConstraint) };
  if (!study.objective && study.constraints.length === 0) return study;
  const [{ loadScenario }, { runScenario }] = await Promise.all([import('../scenario/load.ts'), import('../run.ts')]);
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'capsim-probe-'));
  let summary: Summary | null = null;
  try {
    // Scripted events would fall after a one-second end: the probe leaves them out.
    const scenario = await loadScenario(plan.scenarioFile, { set: [...plan.sets, 'spec.duration=1s', 'spec.sampleEvery=1s', 'spec.events=[]'], allowLarge: args.allowLarge });
    summary = (await runScenario(scenario, { outDir: path.join(probe, 'run'), detail: false })).summary;
  } catch {
    // A scenario that cannot be cut to a second (a cron job's schedule, say): its keys are
    // checked against the sweep's own summaries instead.
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
  if (summary) checkKeys(study, summary);
  return study;
}

async function merge(args: SweepArgs, formats: ReturnType<typeof parseFormats>): Promise<number> {
  if (!args.out) throw new InputError([{ file: '--out', line: 0, column: 0, path: '', message: 'merging needs --out DIR', hint: 'capsim sweep --merge shard-0 shard-1 ... --out reports/study-sweep' }]);
  const { mergeShards } = await import('../sweep/merge.ts');
  const onNote = (note: string) => process.stderr.write(`capsim: note: ${note}\n`);
  const result = await mergeShards(args.merge ?? [], { out: args.out, objective: args.objective, constraints: args.constraint, formats, onNote });
  const dir = displayPath(result.outDir);
  process.stderr.write(`capsim: merged ${args.merge!.length} shard directories: ${result.runs} runs, ${result.failed} failed\n`);
  await printStudy(args.output, result.analysis, result.plan, dir, formats);
  return EXIT_OK;
}

/** The study's answer and its configurations ranked (a table, or -o json|yaml), then where the
 *  files are. A shard's run has no analysis: only the paths. */
async function printStudy(output: Output, analysis: Analysis | null, plan: Pick<SweepPlan, 'varies'>, dir: string, formats: readonly string[]): Promise<void> {
  const { sweepData, sweepTables } = await import('./sweepOutput.ts');
  if (output !== 'table') {
    process.stdout.write(await renderData(analysis ? sweepData(analysis, plan) : { answer: null, configs: [] }, output));
    return;
  }
  const files: TerminalTable = {
    columns: [{ header: 'output' }, { header: 'path' }],
    cells: [['results', `${dir}/ (sweep.csv, sweep-summary.csv, sweep.json, runs/)`], ...(formats.includes('html') ? [['report', `${dir}/sweep.html`]] : [])],
  };
  process.stdout.write(renderTables([...(analysis ? sweepTables(analysis, plan) : []), files]));
}

async function emit(args: SweepArgs, plan: SweepPlan): Promise<number> {
  const [kind, dir] = args.emit!;
  if (kind !== 'k8s-job' || !dir) {
    throw new InputError([{ file: '--emit', line: 0, column: 0, path: '', message: `unknown target "${kind}"`, hint: 'the one target is k8s-job: --emit k8s-job DIR' }]);
  }
  const { emitKubernetesJob } = await import('../sweep/kubernetesJob.ts');
  const files = await emitKubernetesJob(plan, {
    dir,
    shards: args.shards,
    parallelism: args.jobParallelism,
    image: args.image,
    cpu: args.cpu,
    memory: args.memory,
    pvc: args.pvc,
    namespace: args.namespace,
    objective: args.objective,
    constraints: args.constraint ?? [],
    keepAll: args.keepAll,
    allowLarge: args.allowLarge,
    workersPerPod: args.parallel,
  });
  process.stdout.write(`Wrote ${files.map((f) => displayPath(path.resolve(f))).join(', ')}\nSee the comment at the top of job.yaml for the commands that run it and bring the results back.\n`);
  return EXIT_OK;
}

async function progressBar(quiet: boolean): Promise<{ update: (p: SweepProgress) => void; stop: () => void }> {
  if (quiet || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'sweep [{bar}] {value}/{total} runs | {failed} failed | {remaining} left | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (p) => {
      const payload = { failed: p.failed, remaining: p.total - p.done };
      if (!started) {
        bar.start(p.total, p.done, payload);
        started = true;
      } else bar.update(p.done, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

