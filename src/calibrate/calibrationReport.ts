// The "## Calibration" section of metrics-report.md: per workload the fits with their R², MAPE
// and points, the demand model when forecasting, the warnings, and what is approximated.
import { excerpt } from '../excerpt.ts';
import type { CalibrationSummary, WorkloadCalibration } from './calibrate.ts';
import { LOW_MAPE_PCT, NEAR_ZERO_FRACTION, POOR_MAPE_PCT, POOR_R2, showMape, showR2 } from './goodness.ts';
import { SHIFT_FRACTION } from './changePoint.ts';
import { describeLeftOut, UNCERTAIN_FRACTION, type ResourceFit } from './usageFit.ts';
import { THROTTLED_PCT } from './steps.ts';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(bytes >= 100 * 2 ** 20 ? 0 : 2)}Mi`;
const milli = (m: number) => `${m.toFixed(m >= 100 ? 0 : 2)}m`;
const cell = (text: string) => excerpt(text).replace(/\|/g, '\\|');

/** A change mid-window, in the cell itself: the R² beside it must not read as a good fit. */
function changed(f: ResourceFit): string {
  return f.shift ? `; **changed mid-window** at ${f.shift.time} (${f.shift.changePct.toFixed(0)}%)` : '';
}

/** The perUnit's 95% interval when it is wide (usageFit.ts UNCERTAIN_FRACTION), as a caution. */
function uncertain(f: ResourceFit, show: (v: number) => string): string {
  const i = f.perUnitInterval;
  if (!i || !(f.perUnit > 0) || (i[0] > 0 && (i[1] - i[0]) / 2 <= UNCERTAIN_FRACTION * f.perUnit)) return '';
  return ` **uncertain**: 95% ${show(i[0])} to ${show(i[1])} (load per pod ${f.loadRange![0].toPrecision(3)} to ${f.loadRange![1].toPrecision(3)})`;
}

function cpuCell(f: ResourceFit): string {
  if (f.identity) return 'identity: base 0, perUnit 1000m (the demand is the CPU; not a fit)';
  if (!f.goodness) return 'not fitted';
  return `${milli(f.base)} + ${milli(f.perUnit)}/unit${uncertain(f, milli)} (R² ${showR2(f.goodness.r2)}, MAPE ${showMape(f.goodness.mapePct)}, n ${f.used})${changed(f)}`;
}

function memoryCell(f: ResourceFit): string {
  if (!f.goodness) return 'not fitted';
  const leak = f.leakPerHour > 0 ? `, leak ${mib(f.leakPerHour)}/h` : ', leak 0';
  return `${mib(f.base)} + ${mib(f.perUnit)}/unit${uncertain(f, mib)}, noise ${f.noise.toFixed(3)}${leak} (R² ${showR2(f.goodness.r2)}, MAPE ${showMape(f.goodness.mapePct)}, n ${f.used})${changed(f)}`;
}

function demandSource(c: WorkloadCalibration): string {
  return c.observed.demandQuery === null ? 'observed CPU (cores)' : `\`${cell(c.observed.demandQuery)}\``;
}

export function calibrationReport(s: CalibrationSummary): string {
  const lines: string[] = ['## Calibration', ''];
  const forecast = s.input.forecastSeconds !== null;
  lines.push(`Per workload, the usage model fitted against the demand, per Ready pod (x = demand / replicas_ready, y = used / replicas_ready) with a Theil–Sen line (robust to outliers). R² over the points used; MAPE over the points whose observed value is above ${NEAR_ZERO_FRACTION * 100}% of the mean. A fit with R² below ${POOR_R2} (for memory, whose model has a noise term, only with a MAPE over ${LOW_MAPE_PCT}% as well) or MAPE above ${POOR_MAPE_PCT}% is poor and warned about; so is a per-unit cost that changes by more than ${SHIFT_FRACTION * 100}% between two parts of the window.`, '');
  if (s.scenarioProblem) lines.push(`backtest.yaml${forecast ? ' and forecast.yaml were' : ' was'} not written: ${s.scenarioProblem.replace(/\n\s*/g, ' ')}. calibration.json has the fits.`, '');
  else lines.push(`Written: ${s.files.join(', ')}.${s.replaced.length > 0 ? ` The behavior entries scenario.yaml already had for ${s.replaced.join(', ')} had their demand and usage replaced (their other keys kept).` : ''}`, '');
  lines.push('| workload | demand | CPU per pod | memory per pod | points left out |', '|---|---|---|---|---|');
  for (const c of s.workloads) {
    const leftOut = describeLeftOut({ ...c.usage.cpu.leftOut });
    lines.push(`| ${cell(c.observed.workload)}${c.containers ? '' : ' (not in scenario.yaml)'} | ${demandSource(c)} | ${cpuCell(c.usage.cpu)} | ${memoryCell(c.usage.memory)} | CPU: ${leftOut}; memory: ${describeLeftOut(c.usage.memory.leftOut)} |`);
  }
  lines.push('');
  const split = s.workloads.filter((c) => (c.containers?.length ?? 0) > 1);
  if (split.length > 0) {
    lines.push('Containers (a pod\'s model split by requests):', '');
    for (const c of split) {
      const parts = c.containers!.map((f) => `${f.container}: CPU ${f.cpu ? `${(100 * f.cpu.share).toFixed(0)}%` : '–'}, memory ${f.memory ? `${(100 * f.memory.share).toFixed(0)}%` : '–'}`);
      lines.push(`- ${excerpt(c.observed.workload)}: ${parts.join('; ')}`);
    }
    lines.push('');
  }
  if (forecast) {
    lines.push('### Demand model (forecast.yaml)', '', '| workload | constant (at the window\'s end) | daily | weekly | growth | noise cv | R² | MAPE |', '|---|---|---|---|---|---|---|---|');
    for (const c of s.workloads) {
      const d = c.demand!;
      lines.push(`| ${cell(c.observed.workload)} | ${d.constant.toPrecision(4)} | ${d.daily ? `${d.daily.amplitude.toFixed(3)} at ${d.daily.peakAt}` : 'not fitted'} | ${d.weekly ? d.weekly.weekendFactor.toFixed(3) : 'not fitted'} | ${d.growth ? `${(100 * d.growth.perDay).toFixed(2)}%/day` : 'not fitted'} | ${d.noise ? d.noise.cv.toFixed(3) : '–'} | ${showR2(d.goodness.r2)} | ${showMape(d.goodness.mapePct)} |`);
    }
    lines.push('');
    const why = s.workloads.flatMap((c) => c.demand!.notFitted.map((n) => `- ${excerpt(c.observed.workload)}: ${n}`));
    if (why.length > 0) lines.push(...why, '');
  }
  const warnings = [...s.workloads.flatMap((c) => c.warnings), ...s.fileWarnings, ...s.notInScenario.map((w) => `${w}: calibrated but not in scenario.yaml, so in neither YAML`)];
  lines.push('### Warnings', '');
  if (warnings.length === 0) lines.push('None: every fit is within the thresholds.');
  for (const w of warnings) lines.push(`- ${excerpt(w, 600)}`);
  lines.push('', '### What is approximated', '');
  const identity = s.workloads.filter((c) => c.observed.demandQuery === null).map((c) => c.observed.workload);
  if (identity.length > 0) {
    lines.push(`- ${identity.join(', ')}: no --demand query, so the demand is the observed CPU in cores and the CPU model is the identity (base 0, 1000m per unit): not a fit, no R² claimed. HPA and CPU results of the backtest then follow the observed CPU by construction; give a --demand query (requests/s) to fit what a request costs.`);
  }
  lines.push(`- Containers: the series are per pod (summed over its containers); a pod's base and perUnit are split across its containers in proportion to their requests (CPU by CPU requests, memory by memory requests). Restartable init containers (sidecars) are counted in the pod's usage and not modelled apart.`);
  lines.push('- Memory leak: when each pod started is not observed, so a leak is looked for as a steady rise of the per-pod memory within stretches of constant replicas and kept only when a sign test over those stretches finds it (1% level); with a leak the base is the mean level per pod over the window, which holds what the pods had leaked by then.');
  lines.push(`- CPU rate window: the CPU at a step is the mean over the ${Math.max(300, s.input.window.stepSeconds)} s before it while replicas are the value at the step; steps whose window saw the replicas change are left out of the CPU fit, as are steps with CPU throttling above ${THROTTLED_PCT}% (the pod got less than it wanted). Demand and usage are paired over the same window: memory (a value at the step) is averaged over the demand query's range (\`[5m]\`), a gauge demand over the CPU's window; a value over a window against one at the step would read a per-unit cost low.`);
  lines.push('- capsim counts CPU in whole millicores: a fitted per-unit cost is rounded to them in the YAMLs (calibration.json keeps the fit).');
  return `${lines.join('\n')}\n`;
}
