// Calibration: from the series `capsim import metrics` read to the models a scenario runs on
// (issue 16 item 4, and the forecast of item 6). Per workload:
//   - the usage model fitted against the demand (usageFit.ts), per pod, then split across the
//     pod's containers in proportion to their requests (containers.ts);
//   - with a forecast, the demand fitted to capsim's patterns (demandFit.ts);
// and the files: calibration.json (everything, machine-readable), backtest.yaml (the window
// replayed: demand = the observed trace) and forecast.yaml (what follows it: demand = the fitted
// patterns), both DIR/scenario.yaml with the window and the behavior set (calibratedScenario.ts).
// The caller (src/import/metrics/importMetrics.ts) writes the files and the report section.
import type { Window } from '../import/metrics/prometheus.ts';
import type { Container } from '../model/pod.ts';
import { durationAsWritten } from '../duration.ts';
import { bytesText, calibratedScenario, cpuText, demandPatterns, ratio, type BehaviorEntry, type ContainerUsageText } from './calibratedScenario.ts';
import { calibrationReport } from './calibrationReport.ts';
import { scenarioWorkloads, shares } from './containers.ts';
import { fitDemand, type DemandModel } from './demandFit.ts';
import { LOW_MAPE_PCT, NEAR_ZERO_FRACTION, POOR_MAPE_PCT, POOR_R2 } from './goodness.ts';
import { SHIFT_FRACTION } from './changePoint.ts';
import { THROTTLED_PCT } from './steps.ts';
import { fitUsage, isoTime, type ResourceFit, type UsageFit } from './usageFit.ts';

/** One workload's observed series, one value per step of the window (null: not observed). */
export interface ObservedWorkload {
  /** Kind/namespace/name, as a run's workloads.csv names it. */
  workload: string;
  kind: string;
  namespace: string;
  name: string;
  /** Its series file, relative to the directory: metrics/<ns>/<name>.csv. */
  file: string;
  /** WORKLOAD_COLUMNS (src/import/metrics/aggregate.ts), then `demand` and `cpu_throttled_pct`. */
  columns: Record<string, (number | null)[]>;
  /** The --demand PromQL whose value is the `demand` column, or null: demand is the observed CPU in cores. */
  demandQuery: string | null;
}

export interface CalibrationInput {
  /** The --into directory, absolute; its scenario.yaml (from capsim import cluster) may be absent. */
  dir: string;
  window: Window;
  /** Unix seconds of each step. */
  times: number[];
  workloads: ObservedWorkload[];
  /** Per pool, nodes at each step (metrics/nodes.csv). */
  pools: Map<string, number[]>;
  /** --forecast, in seconds, or null. */
  forecastSeconds: number | null;
  /** --forecast as the user wrote it ("12w"): forecast.yaml and its comments say it so. */
  forecastWritten?: string;
}

export interface Calibration {
  /** Files to write, by path relative to the directory: calibration.json, backtest.yaml, forecast.yaml. */
  files: Map<string, string>;
  /** The "## Calibration" section of metrics-report.md (markdown, ends with a newline). */
  report: string;
  /** One line each, naming the workload: printed by the command and listed in the report. */
  warnings: string[];
}

export const CALIBRATION_JSON = 'calibration.json';
export const BACKTEST_YAML = 'backtest.yaml';
export const FORECAST_YAML = 'forecast.yaml';

/** One container's share of the pod's fitted model, in capsim's units. */
export interface ContainerFit {
  container: string;
  cpu: { baseMilli: number; perUnitMilli: number; share: number } | null;
  memory: { baseBytes: number; perUnitBytes: number; leakBytesPerHour: number; noise: number; share: number } | null;
}

/** Everything calibrated for one workload: calibration.json's entry and the report's row. */
export interface WorkloadCalibration {
  observed: ObservedWorkload;
  usage: UsageFit;
  /** null when the workload is not in the scenario (or there is no scenario that loads). */
  containers: ContainerFit[] | null;
  demand: DemandModel | null;
  warnings: string[];
}

export interface CalibrationSummary {
  input: CalibrationInput;
  workloads: WorkloadCalibration[];
  /** Why backtest.yaml and forecast.yaml were not written, or null. */
  scenarioProblem: string | null;
  /** Targets whose behavior entry in scenario.yaml was replaced. */
  replaced: string[];
  /** Workloads with metrics but not in the scenario. */
  notInScenario: string[];
  /** About the YAMLs: a fitted quantity whole millicores change by over 5%, a trace with empty cells. */
  fileWarnings: string[];
  files: string[];
}


function usable(f: ResourceFit): boolean {
  return f.identity || f.goodness !== null;
}

function splitFits(usage: UsageFit, containers: readonly Container[]): ContainerFit[] {
  const cpuShares = shares(containers, 'cpu');
  const memShares = shares(containers, 'memory');
  return containers.map((c, i) => ({
    container: c.name,
    cpu: usable(usage.cpu) ? { baseMilli: usage.cpu.base * cpuShares[i], perUnitMilli: usage.cpu.perUnit * cpuShares[i], share: cpuShares[i] } : null,
    memory: usable(usage.memory)
      ? { baseBytes: usage.memory.base * memShares[i], perUnitBytes: usage.memory.perUnit * memShares[i], leakBytesPerHour: usage.memory.leakPerHour * memShares[i], noise: usage.memory.noise, share: memShares[i] }
      : null,
  }));
}

/** The usage entry as written; a perUnit that whole millicores change by over 5% is said in fileWarnings. */
function usageText(workload: string, fits: ContainerFit[], fileWarnings: string[]): Record<string, ContainerUsageText> {
  const out: Record<string, ContainerUsageText> = {};
  for (const f of fits) {
    const u: ContainerUsageText = {};
    if (f.cpu) {
      u.cpu = { base: cpuText(f.cpu.baseMilli), perUnit: cpuText(f.cpu.perUnitMilli) };
      const written = Math.max(0, Math.round(f.cpu.perUnitMilli));
      if (f.cpu.perUnitMilli > 0 && Math.abs(written - f.cpu.perUnitMilli) > 0.05 * f.cpu.perUnitMilli) {
        fileWarnings.push(`${workload}: container ${f.container}'s CPU perUnit ${f.cpu.perUnitMilli.toPrecision(3)}m is written ${u.cpu.perUnit} (capsim counts whole millicores): measure the demand in larger units (e.g. per 100 requests/s) to keep the precision`);
      }
    }
    if (f.memory) {
      u.memory = { base: bytesText(f.memory.baseBytes), perUnit: bytesText(f.memory.perUnitBytes) };
      if (f.memory.leakBytesPerHour > 0) u.memory.leakPerHour = bytesText(f.memory.leakBytesPerHour);
      // A noise under 0.1% is the fileWarnings of the exported integers, not a spread to simulate.
      if (f.memory.noise >= 0.001) u.memory.noise = ratio(f.memory.noise);
    }
    if (u.cpu || u.memory) out[f.container] = u;
  }
  return out;
}

export async function calibrate(input: CalibrationInput): Promise<Calibration> {
  const { window } = input;
  const scenario = await scenarioWorkloads(input.dir);
  const loaded = 'containers' in scenario ? scenario : null;
  const workloads: WorkloadCalibration[] = [];
  const notInScenario: string[] = [];
  for (const w of input.workloads) {
    const usage = fitUsage(w, input.times, window.stepSeconds);
    const warnings = [...usage.cpu.warnings, ...usage.memory.warnings];
    const containers = loaded?.containers.get(w.workload);
    if (loaded && !containers) notInScenario.push(w.workload);
    let demand: DemandModel | null = null;
    if (input.forecastSeconds !== null) {
      demand = fitDemand(w.workload, input.times, w.columns.demand ?? [], window.startSeconds, window.endSeconds);
      warnings.push(...demand.warnings);
    }
    workloads.push({ observed: w, usage, containers: containers ? splitFits(usage, containers) : null, demand, warnings });
  }

  const files = new Map<string, string>();
  const replaced = new Set<string>();
  const fileWarnings: string[] = [];
  const window0 = `${isoTime(window.startSeconds)} to ${isoTime(window.endSeconds)} (step ${window.stepSeconds} s)`;
  if (loaded) {
    const calibrated = workloads.filter((c) => c.containers !== null);
    // backtest.yaml starts from the dumped state, placed at the window's start: a dump taken at
    // another time starts a workload at other replicas (an HPA then needs minutes to catch up).
    for (const c of calibrated) {
      const dumped = loaded.replicas.get(c.observed.workload);
      const first = (c.observed.columns.replicas ?? []).find((v) => v !== null);
      if (dumped !== undefined && first !== undefined && first !== null && first !== dumped) {
        fileWarnings.push(`${c.observed.workload}: ${first} replica${first === 1 ? '' : 's'} at the window's start in ${c.observed.file}, but ${dumped} in scenario.yaml (the dump's): the backtest starts from the dump, so its first minutes differ; import a dump taken at the window's start`);
      }
    }
    const usageOf = new Map(calibrated.map((c) => [c.observed.workload, usageText(c.observed.workload, c.containers!, fileWarnings)]));
    const header = (what: string[]) => [
      `Generated by capsim import metrics from scenario.yaml and the metrics of ${window0}.`,
      ...what,
      'Edits to scenario.yaml after this are not in it: re-run the import with --force to regenerate it.',
    ];
    const durationMs = Math.round((window.endSeconds - window.startSeconds) * 1000);
    const backtest = calibratedScenario(loaded.text, {
      header: header([
        'The backtest: the window replayed, each calibrated workload\'s demand the observed trace (metrics/), its usage the fitted model (calibration.json).',
        'It starts from the state the cluster dump recorded (the pods and nodes of scenario.yaml), placed at the window\'s start.',
      ]),
      nameSuffix: 'backtest',
      description: `Backtest: ${isoTime(window.startSeconds)} to ${isoTime(window.endSeconds)} replayed with the calibrated models`,
      startIso: isoTime(window.startSeconds),
      durationMs: Math.max(durationMs, window.stepSeconds * 1000),
      sampleEveryMs: Math.round(window.stepSeconds * 1000),
      behavior: calibrated.map((c): BehaviorEntry => ({
        target: c.observed.workload,
        demand: [{ trace: { file: c.observed.file, time: 'time', value: 'demand' } }],
        usage: usageOf.get(c.observed.workload)!,
      })),
    });
    backtest.replaced.forEach((t) => replaced.add(t));
    // A trace replays across a row without a value (src/workload/trace.ts), as a graph of the
    // series would: the first step of a rate window has none. Many gaps make the replay a guess.
    for (const c of calibrated) {
      const column = c.observed.columns.demand ?? [];
      const empty = column.filter((v) => v === null).length;
      if (empty === column.length) fileWarnings.push(`${c.observed.workload}: no step of ${c.observed.file} has a demand, and its trace in backtest.yaml needs at least one: give --demand a query with data in the window`);
      else if (empty > 0.05 * column.length) fileWarnings.push(`${c.observed.workload}: ${empty} of ${column.length} steps of ${c.observed.file} have no demand; backtest.yaml's trace goes straight across each gap`);
    }
    files.set(BACKTEST_YAML, backtest.text);
    if (input.forecastSeconds !== null) {
      const forecastText = durationAsWritten(Math.round(input.forecastSeconds * 1000), input.forecastWritten);
      const r2s = calibrated.map((c) => `${c.observed.workload} R² ${c.demand?.goodness.r2 === null || !c.demand ? '–' : c.demand.goodness.r2.toFixed(3)}`);
      const forecast = calibratedScenario(loaded.text, {
        header: header([
          `The forecast: ${forecastText} from the window's end, each calibrated workload's demand the patterns fitted to the window (${r2s.join(', ') || 'none'}; calibration.json has the fits).`,
          'It starts from the state the cluster dump recorded (the pods and nodes of scenario.yaml), not from the cluster as it was at the window\'s end.',
        ]),
        nameSuffix: 'forecast',
        description: `Forecast: ${forecastText} from ${isoTime(window.endSeconds)}, demand and usage fitted to ${isoTime(window.startSeconds)} to ${isoTime(window.endSeconds)}`,
        startIso: isoTime(window.endSeconds),
        durationMs: Math.round(input.forecastSeconds * 1000),
        durationText: forecastText,
        sampleEveryMs: Math.round(window.stepSeconds * 1000),
        behavior: calibrated.map((c): BehaviorEntry => ({ target: c.observed.workload, demand: demandPatterns(c.demand!), usage: usageOf.get(c.observed.workload)! })),
      });
      forecast.replaced.forEach((t) => replaced.add(t));
      files.set(FORECAST_YAML, forecast.text);
    }
  }
  const summary: CalibrationSummary = {
    input, workloads, scenarioProblem: loaded ? null : (scenario as { problem: string }).problem,
    replaced: [...replaced], notInScenario, fileWarnings, files: [CALIBRATION_JSON, ...files.keys()],
  };
  files.set(CALIBRATION_JSON, `${JSON.stringify(calibrationJson(summary), null, 2)}\n`);
  const warnings = [...workloads.flatMap((c) => c.warnings), ...fileWarnings];
  if (summary.scenarioProblem) warnings.push(`backtest.yaml${input.forecastSeconds !== null ? ' and forecast.yaml' : ''} not written: ${summary.scenarioProblem.replace(/\n\s*/g, ' ')}`);
  for (const w of notInScenario) warnings.push(`${w}: calibrated (calibration.json) but not in scenario.yaml, so not in backtest.yaml${input.forecastSeconds !== null ? ' or forecast.yaml' : ''}`);
  return { files, report: calibrationReport(summary), warnings };
}

function fitJson(f: ResourceFit, unit: 'Milli' | 'Bytes') {
  if (f.identity) return { identity: true, note: 'the demand is the observed CPU in cores: base 0, 1000m per unit by construction, not a fit', [`base${unit}`]: 0, [`perUnit${unit}`]: 1000, pointsUsed: f.used, pointsLeftOut: f.leftOut };
  return {
    [`base${unit}`]: f.base,
    [`perUnit${unit}`]: f.perUnit,
    ...(f.resource === 'memory' ? { noise: f.noise, spreadCv: f.spreadCv, leakBytesPerHour: f.leakPerHour, leak: f.leak?.note ?? null } : {}),
    perUnitIdentified: f.identified,
    [`perUnit${unit}Interval95`]: f.perUnitInterval,
    loadPerPodP5P95: f.loadRange,
    r2: f.goodness?.r2 ?? null,
    mapePct: f.goodness?.mapePct ?? null,
    mapeLeftOutNearZero: f.goodness?.mapeLeftOut ?? 0,
    pointsUsed: f.used,
    pointsLeftOut: f.leftOut,
    changeMidWindow: f.shift,
    clamped: f.clamped,
  };
}

function calibrationJson(s: CalibrationSummary) {
  const { window } = s.input;
  return {
    generatedBy: 'capsim import metrics',
    window: { start: isoTime(window.startSeconds), end: isoTime(window.endSeconds), stepSeconds: window.stepSeconds, steps: s.input.times.length },
    forecastSeconds: s.input.forecastSeconds,
    method: {
      usage: 'per Ready pod: x = demand / replicas_ready, y = used / replicas_ready; Theil-Sen line (ml-regression-theil-sen) on at most 400 bins of equal count by x',
      goodness: `R² over the points used; MAPE in percent over the points whose observed value is above ${NEAR_ZERO_FRACTION * 100}% of the mean`,
      poorFit: { r2Below: POOR_R2, mapePctAbove: POOR_MAPE_PCT, memoryR2OnlyWithMapePctAbove: LOW_MAPE_PCT },
      changeMidWindow: `best split of the points at 10%..90%; reported when perUnit differs by more than ${SHIFT_FRACTION * 100}%`,
      throttledPctAbove: THROTTLED_PCT,
      containers: 'a pod\'s base and perUnit split across its containers in proportion to their requests (CPU by CPU requests, memory by memory requests)',
    },
    scenario: s.scenarioProblem ? { written: false, problem: s.scenarioProblem } : { written: true, replacedBehavior: s.replaced },
    files: s.files,
    workloads: s.workloads.map((c) => ({
      workload: c.observed.workload,
      file: c.observed.file,
      inScenario: c.containers !== null,
      demand: c.observed.demandQuery === null ? { source: 'observed CPU (cores)', query: null } : { source: 'query', query: c.observed.demandQuery },
      usagePerPod: { cpu: fitJson(c.usage.cpu, 'Milli'), memory: fitJson(c.usage.memory, 'Bytes') },
      containers: c.containers,
      demandModel: c.demand
        ? { constant: c.demand.constant, daily: c.demand.daily, weekly: c.demand.weekly, growth: c.demand.growth, noise: c.demand.noise, r2: c.demand.goodness.r2, mapePct: c.demand.goodness.mapePct, points: c.demand.goodness.n, notFitted: c.demand.notFitted, patterns: demandPatterns(c.demand) }
        : null,
      warnings: c.warnings,
    })),
  };
}
