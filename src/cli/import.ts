// capsim import cluster: a real cluster's objects (what kubectl printed) -> a scenario directory
// that starts where the cluster is. The import code is loaded when the command runs.
import path from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { displayPath } from '../scenario/paths.ts';
import { INPUT_LIMITS, formatBytes } from '../scenario/limits.ts';
import { EXIT_OK, reportError } from './exit.ts';
import { QUERIES } from '../import/metrics/queries.ts';
import { EXIT_INTERRUPTED, listenForInterrupt, lockedAsInput } from './outputGuard.ts';

interface ImportClusterArgs {
  inputs: string[];
  out: string;
  placement: 'asDumped' | 'reschedule';
  force: boolean;
  allowLarge: boolean;
}

interface ImportMetricsArgs {
  prometheus?: string;
  fromFiles?: string[];
  start: string;
  end: string;
  step: string;
  into: string;
  force: boolean;
  demand?: string[];
  forecast?: string;
}

/** The command that dumps what the import reads; in --help, the README and docs/import.md. */
export const KUBECTL_DUMP =
  'kubectl get nodes,namespaces,deployments,statefulsets,daemonsets,replicasets,jobs,cronjobs,pods,hpa,pdb,priorityclasses,limitranges,resourcequotas -A -o yaml > cluster.yaml';
/** The custom resources it also reads when the cluster has them (each kubectl fails alone if not). */
export const KUBECTL_CRDS = [
  'kubectl get verticalpodautoscalers -A -o yaml > vpa.yaml',
  'kubectl get nodepools.karpenter.sh -o yaml > karpenter.yaml',
  'kubectl get rollouts.argoproj.io,scaledobjects.keda.sh -A -o yaml > controllers.yaml',
];

const clusterCommand: CommandModule<object, ImportClusterArgs> = {
  command: 'cluster <inputs..>',
  describe: 'Write a scenario directory from `kubectl get ... -o yaml|json` output: scenario.yaml, cleaned manifests/, import-report.md',
  builder: (y) =>
    y
      .positional('inputs', { type: 'string', array: true, describe: 'Files, directories (their *.yaml, *.yml, *.json, recursively) or - for standard input (read after the files)' })
      .options({
        out: { type: 'string', demandOption: true, describe: 'The scenario directory to write (new, or empty)' },
        placement: { choices: ['asDumped', 'reschedule'] as const, default: 'asDumped' as const, describe: 'asDumped: pods start on the nodes they ran on; reschedule: the workloads are packed from scratch' },
        force: { type: 'boolean', default: false, describe: 'Replace a directory an earlier import wrote' },
        'allow-large': { type: 'boolean', default: false, describe: `Read more than ${formatBytes(INPUT_LIMITS.dumpBytes)} of kubectl output (docs/scenario.md "Limits")` },
      })
      .example('$0 import cluster cluster.yaml --out my-cluster', 'Write my-cluster/scenario.yaml, my-cluster/manifests/ and my-cluster/import-report.md')
      .example('kubectl get nodes,pods -A -o json | $0 import cluster - --out my-cluster', 'Read standard input')
      .epilogue(
        `What to dump: ${KUBECTL_DUMP}\nWith a VPA, Karpenter, Argo Rollouts or KEDA, also (each in its own file; kubectl fails on a kind the cluster lacks):\n  ${KUBECTL_CRDS.join('\n  ')}\n` +
          'Then read import-report.md (what was kept, converted and skipped, what to edit) and run: capsim run my-cluster/scenario.yaml. ' +
          'Secrets and the kinds capsim does not simulate are never written. Exit 2 on bad input, with file, line and field; nothing is written then.',
      ) as never,
  handler: async (args: ArgumentsCamelCase<ImportClusterArgs>) => {
    // yargs drops a bare "-" from positionals: standard input is read after the files named.
    const stdin = process.argv.slice(2).includes('-') && !args.inputs.includes('-');
    process.exitCode = await importCluster({ ...args, inputs: stdin ? [...args.inputs, '-'] : args.inputs });
  },
};

const metricsCommand: CommandModule<object, ImportMetricsArgs> = {
  command: 'metrics',
  describe: 'Read a window of Prometheus series (cAdvisor, kube-state-metrics, your demand) into DIR and calibrate: metrics/<namespace>/<workload>.csv, metrics/nodes.csv, calibration.json, backtest.yaml, forecast.yaml, metrics-report.md',
  builder: (y) =>
    y
      .options({
        prometheus: { type: 'string', describe: 'Prometheus base URL (http://host:9090); queried with GET /api/v1/query_range' },
        'from-files': { type: 'string', array: true, describe: 'Saved /api/v1/query_range answers instead: files <query>.json or <query>.<part>.json (the n-th --demand\'s: demand.<n>.json or demand.<n>.<part>.json), or directories of them' },
        start: { type: 'string', demandOption: true, describe: 'Window start: RFC 3339 (2026-01-05T00:00:00Z) or Unix seconds' },
        end: { type: 'string', demandOption: true, describe: 'Window end, the same forms' },
        step: { type: 'string', default: '1m', describe: 'Step of the series (30s, 1m, 5m, ...)' },
        into: { type: 'string', demandOption: true, describe: 'The directory capsim import cluster wrote (the files go beside its scenario), or a new one' },
        force: { type: 'boolean', default: false, describe: 'Replace an earlier metrics import in --into (metrics/, the calibration files, the report)' },
        demand: { type: 'string', array: true, describe: 'A workload\'s demand (units/s): \'namespace/workload=PROMQL\' or \'Kind/namespace/name=PROMQL\', a query returning one series (repeatable). Without it a workload\'s demand is its CPU in cores' },
        forecast: { type: 'string', describe: 'Also fit a demand model that continues past the window and write forecast.yaml for this long (30d, 12w)' },
      })
      .conflicts('prometheus', 'from-files')
      .example('$0 import metrics --prometheus http://localhost:9090 --start 2026-01-05T00:00:00Z --end 2026-01-12T00:00:00Z --into my-cluster', 'A week at 1-minute steps beside my-cluster/scenario.yaml')
      .example('$0 import metrics --from-files saved/ --start 1767571200 --end 1768176000 --into my-cluster', 'The same from saved answers (offline)')
      .example(`$0 import metrics --prometheus http://localhost:9090 --start 2026-01-05T00:00:00Z --end 2026-01-12T00:00:00Z --demand 'shop/web=sum(rate(http_requests_total{namespace="shop",service="web"}[5m]))' --forecast 30d --into my-cluster`, 'With the storefront\'s request rate as its demand, and a 30-day forecast')
      .epilogue(
        `The queries (<id>: PromQL, shown at a 1m step; the CPU rate window is max(5m, step)):\n${QUERIES.map((q) => `  ${q.id}: ${q.promql(60)}`).join('\n')}\n` +
          'Long windows are read in chunks of at most 11,000 points per series (Prometheus\'s limit). Pods are mapped to workloads through kube_pod_owner and the ReplicaSet\'s or Job\'s owner. ' +
          'Then the series are calibrated: the usage models are fitted against each workload\'s demand (calibration.json, the Calibration section of metrics-report.md), and backtest.yaml (and with --forecast, forecast.yaml) are written for capsim backtest and capsim run. Warnings go to standard error as "warning: ..." lines; the exit status stays 0. ' +
          'Exit 2 on an unreachable server, an error answer, a malformed file, a --demand naming no workload or returning several series; nothing is written then. Details: docs/import-metrics.md',
      ) as never,
  handler: async (args: ArgumentsCamelCase<ImportMetricsArgs>) => {
    process.exitCode = await importMetricsCommand(args);
  },
};

interface ImportAlibabaArgs {
  dir: string;
  out: string;
  pods?: string;
  sequential: boolean;
  force: boolean;
}

const alibabaCommand: CommandModule<object, ImportAlibabaArgs> = {
  command: 'alibaba-gpu-2023 <dir>',
  describe: "Write a scenario that replays Alibaba's GPU cluster trace 2023 (alibaba/clusterdata cluster-trace-gpu-v2023/csv): scenario.yaml, traces/pods.csv, import-report.md",
  builder: (y) =>
    y
      .positional('dir', { type: 'string', demandOption: true, describe: "The trace's csv directory: openb_node_list_all_node.csv and the pod lists" })
      .options({
        out: { type: 'string', demandOption: true, describe: 'The scenario directory to write (new, or empty)' },
        pods: { type: 'string', describe: 'The pod list: a file name in <dir> (openb_pod_list_gpushare40.csv, ...) or a path; default openb_pod_list_default.csv' },
        sequential: { type: 'boolean', default: false, describe: "Submit the pods one a second in creation order and never delete them, as the trace's simulator does (the cluster fills up), instead of at the trace's times" },
        force: { type: 'boolean', default: false, describe: 'Replace a directory an earlier import wrote' },
      })
      .example('$0 import alibaba-gpu-2023 clusterdata/cluster-trace-gpu-v2023/csv --out alibaba', 'Write alibaba/scenario.yaml, alibaba/traces/pods.csv and alibaba/import-report.md; then capsim run alibaba/scenario.yaml')
      .epilogue(
        'The 1,523 nodes become fixed node pools (no autoscaler, a price of 0 to set), labelled alibabacloud.com/gpu-card-model; each pod is created and deleted at the trace\'s times with its requests (limits equal), ' +
          'whole GPUs as nvidia.com/gpu, a share of one GPU (gpu_milli < 1000) as alibabacloud.com/gpu-milli, gpu_spec as node affinity; scheduled_time is kept to compare with the replay (pods.csv, summary.json traces). ' +
          'Exit 2 on a damaged trace, with file:line:column and the column; nothing is written then. Details: docs/import.md',
      ) as never,
  handler: async (args: ArgumentsCamelCase<ImportAlibabaArgs>) => {
    process.exitCode = await importAlibabaCommand(args);
  },
};

async function importAlibabaCommand(args: ImportAlibabaArgs): Promise<number> {
  return interruptible(args.out, async (signal) => {
    const { importAlibabaGpu, TRACE_FILE } = await import('../import/alibabaGpu.ts');
    const r = await importAlibabaGpu({ traceDir: args.dir, outDir: args.out, pods: args.pods, sequential: args.sequential, force: args.force, signal, onNote: (m) => process.stderr.write(`capsim: ${m}\n`) });
    const shown = displayPath(r.dir);
    const n = (x: number) => x.toLocaleString('en-US');
    process.stdout.write(
      `Imported ${n(r.nodes)} nodes (${r.pools.length} node pools, fixed counts, prices 0) and ${n(r.pods)} pods (${n(r.cpuOnly)} CPU only, ${n(r.wholeGpu)} whole GPUs, ${n(r.shared)} GPU shares) over ${n(r.durationSeconds / 3600)} h. ` +
        `Wrote ${shown}/ (scenario.yaml, ${TRACE_FILE}, import-report.md)\n` +
        (r.sequential
          ? `Pods submitted one a second and never deleted (--sequential): the cluster fills up.\n`
          : `Note: at the trace's times at most ${n(r.peakPods)} pods are alive at once (${n(r.peakGpuMilli / 1000)} of ${n(r.totalGpus)} GPUs): the replay loads the cluster lightly (import-report.md, Load; --sequential fills it)\n`) +
        `Next: capsim run ${path.join(shown, 'scenario.yaml')}\n`,
    );
    await reportLoadProblems(path.join(shown, 'scenario.yaml'));
    return EXIT_OK;
  });
}

/** What `capsim validate` would say of a written scenario, when it finds problems. */
async function reportLoadProblems(file: string): Promise<void> {
  const problems = await loadProblems(file);
  if (problems.length === 0) return;
  process.stdout.write(`capsim validate finds ${problems.length} problem${problems.length === 1 ? '' : 's'} in the scenario as written${problems.length > SHOWN ? ` (the first ${SHOWN})` : ''}; fix ${problems.length === 1 ? 'it' : 'them'} before running:\n`);
  for (const p of problems.slice(0, SHOWN)) process.stdout.write(`${p}\n`);
}

/** Runs an import that writes `out`, as the import commands do: Ctrl-C leaves nothing written
 *  (exit 130), an input error is printed with exit 2. */
async function interruptible(out: string, body: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const interrupt = listenForInterrupt();
  try {
    return await body(interrupt.signal);
  } catch (error) {
    if (interrupt.signal.aborted) {
      process.stderr.write(`capsim: import interrupted (${interrupt.received()}): nothing was written to ${displayPath(path.resolve(out))}/.\n`);
      return EXIT_INTERRUPTED;
    }
    return reportError(lockedAsInput(error));
  } finally {
    interrupt.dispose();
  }
}

interface ImportKubereplayArgs {
  capture: string;
  out: string;
  jobRun: string;
  tail: string;
  force: boolean;
}

const kubereplayCommand: CommandModule<object, ImportKubereplayArgs> = {
  command: 'kubereplay <capture>',
  describe: "Write a scenario that replays a capture of Karpenter's kubereplay (Deployment create/scale/delete and Job create events): scenario.yaml, manifests/, traces/jobs.csv, import-report.md",
  builder: (y) =>
    y
      .positional('capture', { type: 'string', demandOption: true, describe: 'The JSON file `kubereplay capture -o FILE` wrote' })
      .options({
        out: { type: 'string', demandOption: true, describe: 'The scenario directory to write (new, or empty)' },
        'job-run': { type: 'string', default: '1m', describe: "A Job pod's run time when its command has no `sleep N` (a capture has no run times)" },
        tail: { type: 'string', default: '1h', describe: 'Simulated time after the last event' },
        force: { type: 'boolean', default: false, describe: 'Replace a directory an earlier import wrote' },
      })
      .example('$0 import kubereplay workloads.json --out replay', 'Write replay/scenario.yaml; edit its node pools (or add Karpenter NodePools), then capsim run replay/scenario.yaml')
      .epilogue(
        'Events are replayed at their offsets from the first (aws/karpenter-provider-aws tools/kubereplay, RunTimed): a Deployment is a manifest scaled to its replicas at its create time, scale events scale it, a delete scales it to 0; ' +
          "each Deployment gets kubereplay's PodDisruptionBudget (maxUnavailable 50 %); a Job's pods are pod-trace rows created at its time. The capture has no nodes: the scenario starts with a cluster-autoscaler pool to replace. " +
          'Exit 2 on a damaged capture, with file:line:column and the field; nothing is written then. Details: docs/import.md',
      ) as never,
  handler: async (args: ArgumentsCamelCase<ImportKubereplayArgs>) => {
    process.exitCode = await importKubereplayCommand(args);
  },
};

async function importKubereplayCommand(args: ImportKubereplayArgs): Promise<number> {
  return interruptible(args.out, async (signal) => {
    const { importKubereplay } = await import('../import/kubereplay.ts');
    const { parseDuration } = await import('../duration.ts');
    const { InputError } = await import('../scenario/errors.ts');
    const seconds = (flag: string, text: string) => {
      try {
        return parseDuration(text) / 1000;
      } catch (error) {
        throw new InputError([{ file: flag, line: 0, column: 0, path: '', message: (error as Error).message, hint: 'write e.g. 30s, 5m, 1h' }]);
      }
    };
    const r = await importKubereplay({ capture: args.capture, outDir: args.out, jobRunSeconds: seconds('--job-run', args.jobRun), tailSeconds: seconds('--tail', args.tail), force: args.force, signal, onNote: (m) => process.stderr.write(`capsim: ${m}\n`) });
    const shown = displayPath(r.dir);
    process.stdout.write(
      `Imported ${r.events} events: ${r.deployments} Deployments (${r.scales} scales, ${r.deletes} deletes), ${r.jobs} Jobs (${r.jobPods} pods); skipped ${r.skipped.length}, simplified ${r.simplified.length}. ` +
        `Wrote ${shown}/ (scenario.yaml, import-report.md)\nNext: edit the node pools in ${path.join(shown, 'scenario.yaml')}, then capsim run ${path.join(shown, 'scenario.yaml')}\n`,
    );
    await reportLoadProblems(path.join(shown, 'scenario.yaml'));
    return EXIT_OK;
  });
}

export const importCommand: CommandModule = {
  command: 'import',
  describe: 'Bring a real cluster in: `capsim import cluster <kubectl output> --out DIR` writes a scenario that starts where the cluster is; `capsim import metrics` adds what its Prometheus recorded; `capsim import alibaba-gpu-2023` replays Alibaba\'s GPU trace, `capsim import kubereplay` a kubereplay capture',
  builder: (y: Argv) => y.command(clusterCommand).command(metricsCommand).command(alibabaCommand).command(kubereplayCommand).demandCommand(1, 'Name what to import: cluster, metrics, alibaba-gpu-2023 or kubereplay.')
    .example('kubectl get deploy,sts,ds,hpa,nodes -A -o yaml | $0 import cluster - --out mycluster/', "A real cluster's objects as a scenario directory")
    .example('$0 import metrics --prometheus http://localhost:9090 --start 2026-01-05T00:00:00Z --end 2026-01-06T00:00:00Z --into mycluster/', 'A day of Prometheus series per workload, calibrated')
    .example('$0 import alibaba-gpu-2023 trace/ --out gpu-trace/', "Alibaba's GPU trace as a scenario that replays it"),
  handler: () => {},
};

/** Problems of the written scenario printed after an import; the rest are counted. */
const SHOWN = 10;

/** The problems loading `file` finds, formatted as the CLI prints them; none when it loads. */
async function loadProblems(file: string): Promise<string[]> {
  const { loadScenario } = await import('../scenario/load.ts');
  const { InputError, formatProblem } = await import('../scenario/errors.ts');
  try {
    await loadScenario(file);
    return [];
  } catch (error) {
    if (error instanceof InputError) return error.problems.map(formatProblem);
    throw error;
  }
}

async function importCluster(args: ImportClusterArgs): Promise<number> {
  const interrupt = listenForInterrupt();
  try {
    const { importCluster: run } = await import('../import/importCluster.ts');
    const { dir, plan } = await run({
      inputs: args.inputs,
      outDir: args.out,
      placement: args.placement,
      force: args.force,
      allowLarge: args.allowLarge,
      signal: interrupt.signal,
      onNote: (m) => process.stderr.write(`capsim: ${m}\n`),
    });
    const shown = displayPath(dir);
    const c = plan.counts;
    const pools = plan.pools.filter((p) => p.complete).length;
    process.stdout.write(
      `Imported ${c.nodes} node${c.nodes === 1 ? '' : 's'} (${pools} node pool${pools === 1 ? '' : 's'}${plan.ungrouped.length ? `, ${plan.ungrouped.length} in none` : ''}), ${c.pods} pod${c.pods === 1 ? '' : 's'} and ${c.written - c.nodes - c.pods} other objects; skipped ${c.skipped}. ` +
        `Wrote ${shown}/ (scenario.yaml, manifests/, import-report.md)\n`,
    );
    const todo = plan.pools.flatMap((p) => p.todo.map((t) => `pool ${p.name}: ${t}`));
    for (const t of todo) process.stdout.write(`EDIT ${path.join(shown, 'scenario.yaml')}: ${t}\n`);
    // What `capsim validate` would say of the result: the loader reads more than the import does.
    const problems = await loadProblems(path.join(shown, 'scenario.yaml'));
    if (problems.length > 0) {
      process.stdout.write(`capsim validate finds ${problems.length} problem${problems.length === 1 ? '' : 's'} in the scenario as written${problems.length > SHOWN ? ` (the first ${SHOWN})` : ''}; fix ${problems.length === 1 ? 'it' : 'them'} before running:\n`);
      for (const p of problems.slice(0, SHOWN)) process.stdout.write(`${p}\n`);
    }
    process.stdout.write(`Next: read ${path.join(shown, 'import-report.md')}, then capsim run ${path.join(shown, 'scenario.yaml')}\n`);
    return EXIT_OK;
  } catch (error) {
    if (interrupt.signal.aborted) {
      process.stderr.write(`capsim: import interrupted (${interrupt.received()}): nothing was written to ${displayPath(path.resolve(args.out))}/.\n`);
      return EXIT_INTERRUPTED;
    }
    return reportError(lockedAsInput(error));
  } finally {
    interrupt.dispose();
  }
}

async function importMetricsCommand(args: ImportMetricsArgs): Promise<number> {
  const interrupt = listenForInterrupt();
  try {
    const { parseTime } = await import('../import/metrics/prometheus.ts');
    const { importMetrics, METRICS_REPORT } = await import('../import/metrics/importMetrics.ts');
    const { parseDuration } = await import('../duration.ts');
    const { InputError } = await import('../scenario/errors.ts');
    if (args.prometheus === undefined && (args.fromFiles ?? []).length === 0) {
      throw new InputError([{ file: '--prometheus', line: 0, column: 0, path: '', message: 'no source: give --prometheus URL or --from-files FILE...', hint: 'capsim import metrics --help lists the queries to save for --from-files' }]);
    }
    let stepMs: number;
    try {
      stepMs = parseDuration(args.step);
    } catch (error) {
      throw new InputError([{ file: '--step', line: 0, column: 0, path: '', message: (error as Error).message, hint: 'write e.g. 30s, 1m, 5m' }]);
    }
    let forecastSeconds: number | null = null;
    if (args.forecast !== undefined) {
      try {
        forecastSeconds = parseDuration(args.forecast) / 1000;
      } catch (error) {
        throw new InputError([{ file: '--forecast', line: 0, column: 0, path: '', message: (error as Error).message, hint: 'write how long to forecast, e.g. 30d, 12w' }]);
      }
      if (!(forecastSeconds > 0)) throw new InputError([{ file: '--forecast', line: 0, column: 0, path: '', message: `${args.forecast} is not a duration above zero`, hint: 'write how long to forecast, e.g. 30d, 12w' }]);
    }
    const result = await importMetrics({
      prometheus: args.prometheus ?? null,
      files: args.fromFiles ?? [],
      window: { startSeconds: parseTime(args.start, '--start'), endSeconds: parseTime(args.end, '--end'), stepSeconds: stepMs / 1000 },
      intoDir: args.into,
      force: args.force,
      demand: args.demand ?? [],
      forecastSeconds,
      forecastWritten: args.forecast,
      signal: interrupt.signal,
      onNote: (m) => process.stderr.write(`capsim: ${m}\n`),
    });
    const shown = displayPath(result.dir);
    const a = result.aggregate;
    process.stdout.write(
      `Imported ${a.times.length} steps of ${a.workloads.length} workload${a.workloads.length === 1 ? '' : 's'} (${a.podsMapped} pod${a.podsMapped === 1 ? '' : 's'} mapped${a.podsUnmapped.length ? `, ${a.podsUnmapped.length} without an owner` : ''}) and ${a.pools.size} node pool${a.pools.size === 1 ? '' : 's'}. ` +
        `Wrote ${shown}/metrics/${[...result.calibration.files.keys()].map((f) => `, ${path.join(shown, f)}`).join('')} and ${path.join(shown, METRICS_REPORT)}\n`,
    );
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    if (a.podsUnmapped.length > 0) process.stdout.write(`WARNING: ${a.podsUnmapped.length} pod${a.podsUnmapped.length === 1 ? '' : 's'} with usage but no owner are in no workload's figures; ${METRICS_REPORT} names them\n`);
    return EXIT_OK;
  } catch (error) {
    if (interrupt.signal.aborted) {
      process.stderr.write(`capsim: import interrupted (${interrupt.received()}): nothing was written to ${displayPath(path.resolve(args.into))}/.\n`);
      return EXIT_INTERRUPTED;
    }
    return reportError(lockedAsInput(error));
  } finally {
    interrupt.dispose();
  }
}
