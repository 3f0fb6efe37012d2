// capsim export openmetrics <runDir>: a run's series as OpenMetrics text, to backfill into
// Prometheus. The export code is loaded when the command runs.
import fs from 'node:fs';
import path from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { displayPath } from '../scenario/paths.ts';
import { EXIT_OK, reportError } from './exit.ts';
import { exitOnInterrupt } from './outputGuard.ts';

/** --out and --quiet, as every export takes them. */
const EXPORT_OPTIONS = {
  out: { type: 'string', describe: 'The file to write (whole, or not at all); standard output without it' },
  quiet: { type: 'boolean', default: false, describe: 'Print only errors' },
} as const;

interface ExportOpenMetricsArgs {
  runDir: string;
  out?: string;
  quiet: boolean;
}

const openMetricsCommand: CommandModule<object, ExportOpenMetricsArgs> = {
  command: 'openmetrics <runDir>',
  describe: "Write a run's series as OpenMetrics text under cAdvisor, kube-state-metrics and OpenCost names, to backfill into Prometheus",
  builder: (y) =>
    y
      .positional('runDir', { type: 'string', demandOption: true, describe: 'A directory written by capsim run' })
      .options(EXPORT_OPTIONS)
      .example('$0 export openmetrics reports/web-hpa --out web-hpa.om', 'Write web-hpa.om')
      .example('promtool tsdb create-blocks-from openmetrics web-hpa.om data/', 'Then backfill it into a Prometheus TSDB')
      .epilogue(
        'Written: container_cpu_usage_seconds_total, container_memory_working_set_bytes, container_cpu_cfs_periods_total and _throttled_periods_total (10 periods/s per Ready replica, cpu_throttled_pct of them throttled: an approximation), container_oom_events_total (cAdvisor); ' +
          'kube_pod_info, kube_pod_owner, kube_replicaset_owner, kube_job_owner, kube_pod_container_resource_requests and _limits, ' +
          'kube_deployment_spec_replicas, kube_deployment_status_replicas_ready, the StatefulSet and DaemonSet equivalents, ' +
          'kube_horizontalpodautoscaler_status_desired_replicas, kube_node_info, kube_node_labels, kube_node_status_allocatable (kube-state-metrics); ' +
          'node_total_hourly_cost (OpenCost); capsim_workload_demand_units_total and capsim_workload_served_units_total (the demand and served rates integrated, as an application counts its requests). A run records workloads, not pods: each workload is one pod named <workload>-capsim carrying its totals. ' +
          'Not written (not in a run\'s files): last terminated reason, available replicas, per-pod figures. ' +
          'Timestamps are the scenario\'s (spec.start). Details: docs/export.md. Exit 2 for a directory that is not a whole run.',
      ) as never,
  handler: async (args: ArgumentsCamelCase<ExportOpenMetricsArgs>) => {
    process.exitCode = await exportOpenMetrics(args);
  },
};

interface ExportFocusArgs {
  runDir: string;
  out?: string;
  quiet: boolean;
}

const focusCommand: CommandModule<object, ExportFocusArgs> = {
  command: 'focus <runDir>',
  describe: "Write a run's cost as FOCUS 1.3 rows (CSV): each node-hour split into its workloads' and its idle cost",
  builder: (y) =>
    y
      .positional('runDir', { type: 'string', demandOption: true, describe: 'A directory written by capsim run' })
      .options(EXPORT_OPTIONS)
      .example('$0 export focus reports/fleet-cost --out fleet-cost.focus.csv', 'Write fleet-cost.focus.csv')
      .epilogue(
        "The run's focus.csv, or its focus.parquet as CSV. A run that left it out (a large run's default, or --no-focus) is simulated again " +
          'from its scenario.resolved.yaml and seed, which gives the same run: its total cost is checked against summary.json. ' +
          'Rows, columns and the allocation method: docs/outputs.md "focus.csv". Exit 2 for a directory that is not a whole run.',
      ) as never,
  handler: async (args: ArgumentsCamelCase<ExportFocusArgs>) => {
    process.exitCode = await exportFocus(args);
  },
};

export const exportCommand: CommandModule = {
  command: 'export',
  describe: "Write a run's series for other tools: `capsim export openmetrics <runDir> [--out FILE]`, `capsim export focus <runDir> [--out FILE]`",
  builder: (y: Argv) => y.command(openMetricsCommand).command(focusCommand).demandCommand(1, 'Name what to export: openmetrics or focus.')
    .example('$0 export openmetrics reports/quickstart --out qs.om', "A run's series to backfill into Prometheus (promtool tsdb create-blocks-from openmetrics)")
    .example('$0 export focus reports/quickstart --out qs-focus.csv', 'FOCUS 1.3 cost rows of a run'),
  handler: () => {},
};

async function exportOpenMetrics(args: ExportOpenMetricsArgs): Promise<number> {
  const { exportOpenMetrics: run } = await import('../export/openMetrics.ts');
  return writeExport(args, run, (r) => `${r.families} metric families, ${r.series} series, ${r.samples} samples`);
}

async function exportFocus(args: ExportFocusArgs): Promise<number> {
  const { exportFocus: run } = await import('../export/focus.ts');
  // A run that left focus.csv out is simulated again, with the focus rows this time.
  const rerun = async (resolvedFile: string, seed: number, runId: string, outDir: string) => {
    const [{ loadScenario }, { runScenario }] = await Promise.all([import('../scenario/load.ts'), import('../run.ts')]);
    const scenario = await loadScenario(resolvedFile, { seed, allowLarge: true });
    return (await runScenario(scenario, { outDir, detail: false, focus: { runId }, report: [], lock: false })).summary.cost.totalUsd;
  };
  return writeExport(args, (runDir, write) => run(runDir, write, rerun), (r) => `${r.rows.toLocaleString('en-US')} FOCUS rows`);
}

/** Writes an export to --out (whole, through a temporary, or not at all) or to standard output. */
async function writeExport<R extends { notes: string[] }>(
  args: { runDir: string; out?: string; quiet: boolean },
  run: (runDir: string, write: (chunk: string) => unknown) => Promise<R>,
  describe: (result: R) => string,
): Promise<number> {
  const target = args.out ? path.resolve(args.out) : null;
  const temporary = target ? `${target}.tmp-${process.pid}` : null;
  let fd: number | null = null;
  // Ctrl-C or SIGTERM: the temporary is removed, FILE left as it was (exit 130).
  const stopListening = exitOnInterrupt(
    () => temporary && fs.rmSync(temporary, { force: true }),
    `export interrupted: ${target ? `${displayPath(target)} was not written` : 'the output is incomplete'}.`,
  );
  try {
    if (temporary) fd = fs.openSync(temporary, 'w');
    const out = fd;
    const result = await run(args.runDir, (chunk) => (out === null ? process.stdout.write(chunk) : fs.writeSync(out, chunk)));
    if (fd !== null) {
      fs.closeSync(fd);
      fd = null;
      fs.renameSync(temporary!, target!);
    }
    for (const note of result.notes) process.stderr.write(`capsim: ${note}\n`);
    if (!args.quiet && target) {
      process.stderr.write(`Wrote ${displayPath(target)}: ${describe(result)}\n`);
    }
    return EXIT_OK;
  } catch (error) {
    if (fd !== null) fs.closeSync(fd);
    if (temporary) fs.rmSync(temporary, { force: true });
    return reportError(error);
  } finally {
    stopListening();
  }
}
