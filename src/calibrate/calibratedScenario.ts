// backtest.yaml and forecast.yaml: DIR/scenario.yaml (capsim import cluster's, with whatever the
// user edited) with the window and the calibrated behavior set in it, through the `yaml`
// package's Document API so that every comment of the user's file stays where it was.
//
//   spec.start, spec.duration, spec.sampleEvery   the window (backtest) or what follows it (forecast)
//   spec.behavior[]                               one entry per calibrated workload of the scenario:
//                                                 `demand` and `usage` set; an entry the user
//                                                 already had for it keeps its other keys (startup,
//                                                 shutdown, ...) and is reported as replaced
import YAML, { isMap, isSeq, Scalar, type Document, type YAMLMap } from 'yaml';
import { formatBytes, formatCpuMilli } from '../quantity.ts';
import { formatDuration } from '../duration.ts';
import type { DemandModel } from './demandFit.ts';

/** A container's usage as written: quantities as capsim writes them. */
export interface ContainerUsageText {
  cpu?: { base: string; perUnit: string };
  memory?: { base: string; perUnit: string; leakPerHour?: string; noise?: number };
}

export interface BehaviorEntry {
  /** Kind/namespace/name. */
  target: string;
  demand: unknown[];
  usage: Record<string, ContainerUsageText>;
}

export interface ScenarioEdit {
  /** Comment lines for the top of the file (without "#"). */
  header: string[];
  startIso: string;
  durationMs: number;
  /** spec.duration as written (--forecast 12w); absent: durationMs formatted. */
  durationText?: string;
  sampleEveryMs: number;
  behavior: BehaviorEntry[];
  /** Added to metadata.name (`shop-forecast`), so that its runs do not land in scenario.yaml's
   *  reports/<name>/, and the description that says what the file is. */
  nameSuffix: string;
  description: string;
}

/** The edited scenario's text, and the targets whose existing behavior entry was replaced. */
export function calibratedScenario(scenarioText: string, edit: ScenarioEdit): { text: string; replaced: string[] } {
  const doc = YAML.parseDocument(scenarioText, { keepSourceTokens: false });
  if (doc.errors.length > 0) throw new Error(`scenario.yaml does not parse: ${doc.errors[0].message}`);
  if (!isMap(doc.contents)) throw new Error('scenario.yaml is not a mapping');
  const start = new Scalar(edit.startIso);
  start.type = Scalar.QUOTE_DOUBLE;
  doc.setIn(['spec', 'start'], start);
  doc.setIn(['spec', 'duration'], edit.durationText ?? formatDuration(edit.durationMs));
  doc.setIn(['spec', 'sampleEvery'], formatDuration(edit.sampleEveryMs));
  const name = doc.getIn(['metadata', 'name']);
  doc.setIn(['metadata', 'name'], typeof name === 'string' && name !== '' ? `${name}-${edit.nameSuffix}` : edit.nameSuffix);
  doc.setIn(['metadata', 'description'], edit.description);
  const replaced: string[] = [];
  let behavior = doc.getIn(['spec', 'behavior']);
  if (!isSeq(behavior)) {
    doc.setIn(['spec', 'behavior'], doc.createNode([]));
    behavior = doc.getIn(['spec', 'behavior']);
  }
  const seq = behavior as YAML.YAMLSeq;
  for (const entry of edit.behavior) {
    const existing = seq.items.find((item): item is YAMLMap => isMap(item) && String(item.get('target')) === entry.target);
    const demand = flowNode(doc, entry.demand);
    const usage = usageNode(doc, entry.usage);
    if (existing) {
      replaced.push(entry.target);
      existing.set('demand', demand);
      existing.set('usage', usage);
    } else {
      const item = doc.createNode({ target: entry.target }) as YAMLMap;
      item.set('demand', demand);
      item.set('usage', usage);
      seq.items.push(item);
    }
  }
  const header = edit.header.map((l) => ` ${l}`).join('\n');
  doc.commentBefore = doc.commentBefore ? `${header}\n\n${doc.commentBefore}` : header;
  return { text: doc.toString({ lineWidth: 0 }), replaced };
}

/** A list of one-line flow items: `- {trace: {...}}` reads as the docs write patterns. A time
 *  of day is quoted ("14:00"), as a YAML 1.1 reader would take 14:00 for the number 840. */
function flowNode(doc: Document, items: unknown[]) {
  const seq = doc.createNode(items) as YAML.YAMLSeq;
  for (const item of seq.items) if (isMap(item)) item.flow = true;
  YAML.visit(seq, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && /^\d\d:\d\d$/.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return seq;
}

/** usage: {<container>: {cpu: {base, perUnit} (flow), memory: {...} (flow)}}. */
function usageNode(doc: Document, usage: Record<string, ContainerUsageText>) {
  const map = doc.createNode(usage) as YAMLMap;
  for (const container of map.items) {
    if (!isMap(container.value)) continue;
    for (const resource of container.value.items) if (isMap(resource.value)) resource.value.flow = true;
  }
  return map;
}

// --- quantities as capsim writes them ------------------------------------------------------------

/** Millicores, whole: the loader reads CPU in whole millicores (rounding a fraction up). */
export function cpuText(milli: number): string {
  return formatCpuMilli(Math.max(0, Math.round(milli)));
}

/** Bytes in the largest binary unit that keeps 3 significant digits: whole Gi from 100Gi, whole
 *  Mi from 100Mi, whole Ki from 100Ki, else whole bytes (so a fitted 301.6Mi reads 302Mi, 0.2%
 *  off, and 966.3Ki reads 966Ki). */
export function bytesText(bytes: number): string {
  const b = Math.max(0, bytes);
  for (const unit of [2 ** 30, 2 ** 20, 2 ** 10]) if (b >= 100 * unit) return formatBytes(Math.round(b / unit) * unit);
  return formatBytes(Math.round(b));
}

/** A ratio to 4 significant digits (0.05, 0.6012), no float noise. */
export function ratio(v: number): number {
  return Number(v.toPrecision(4));
}

/** The fitted demand model as capsim's demand patterns, in the order demand.ts documents. */
export function demandPatterns(m: DemandModel): unknown[] {
  const out: unknown[] = [{ constant: ratio(m.constant) }];
  if (m.daily) out.push({ daily: { amplitude: ratio(m.daily.amplitude), peakAt: m.daily.peakAt } });
  if (m.weekly) out.push({ weekly: { weekendFactor: ratio(m.weekly.weekendFactor) } });
  // Growth to 0.001%/day; a noise under 0.1% is round-off (a series the patterns draw exactly).
  if (m.growth) out.push({ growth: { perDay: Number(m.growth.perDay.toFixed(5)) || 0 } });
  if (m.noise && m.noise.cv >= 0.001) out.push({ noise: { cv: ratio(m.noise.cv) } });
  return out;
}
