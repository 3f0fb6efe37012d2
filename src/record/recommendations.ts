// recommendations.csv (DESIGN §4): per container of every workload, its current requests and
// limits, the VPA recommender's target / lower / upper, and the projected monthly saving of
// setting requests to the target. Empty cells where a value does not exist (no limit, a
// resource the VPA does not control, no usage seen).
import path from 'node:path';
import type { RecommendationRow } from '../controllers/vpa/controller.ts';
import { CsvSink } from './csvSink.ts';
import { money } from './format.ts';

export const RECOMMENDATION_HEADERS = [
  'workload', 'container', 'cpu_request_m', 'cpu_limit_m', 'memory_request_bytes', 'memory_limit_bytes',
  'cpu_target_m', 'cpu_lower_m', 'cpu_upper_m', 'memory_target_bytes', 'memory_lower_bytes', 'memory_upper_bytes',
  'monthly_saving_usd',
] as const;

export const HOURS_PER_MONTH = 730;
const GB = 1024 ** 3;

/** Monthly saving of moving requests to the target, priced as the allocation model prices
 *  requests (cost/allocation.ts): Σ over cpu and memory of
 *    (current request − target) × the rate of the workload's nodes (per core-hour, per GiB-hour)
 *    × desired replicas × 730 h.
 *  A missing request counts as 0, a resource without a target contributes nothing; negative when
 *  the target is above the request. null (empty cell) without a recommendation or node rates. */
export function monthlySavingUsd(row: RecommendationRow): number | null {
  const rec = row.recommendation;
  if (!rec || !row.rates) return null;
  let perReplicaHour = 0;
  if (rec.target.cpuMilli !== null) perReplicaHour += (((row.cpuRequestMilli ?? 0) - rec.target.cpuMilli) / 1000) * row.rates.usdPerCoreHour;
  if (rec.target.memoryBytes !== null) perReplicaHour += (((row.memoryRequestBytes ?? 0) - rec.target.memoryBytes) / GB) * row.rates.usdPerGbHour;
  return perReplicaHour * row.replicas * HOURS_PER_MONTH;
}

export function recommendationCells(row: RecommendationRow): (string | number)[] {
  const cell = (v: number | null | undefined) => (v === null || v === undefined ? '' : v);
  const rec = row.recommendation;
  const saving = monthlySavingUsd(row);
  return [
    row.workload, row.container,
    cell(row.cpuRequestMilli), cell(row.cpuLimitMilli), cell(row.memoryRequestBytes), cell(row.memoryLimitBytes),
    cell(rec?.target.cpuMilli), cell(rec?.lower.cpuMilli), cell(rec?.upper.cpuMilli),
    cell(rec?.target.memoryBytes), cell(rec?.lower.memoryBytes), cell(rec?.upper.memoryBytes),
    saving === null ? '' : money(saving),
  ];
}

/** Writes `dir/recommendations.csv`, one row per container, at the end of a run. */
export async function writeRecommendations(dir: string, rows: readonly RecommendationRow[]): Promise<void> {
  const sink = new CsvSink(path.join(dir, 'recommendations.csv'), RECOMMENDATION_HEADERS);
  for (const row of rows) sink.write(recommendationCells(row));
  await sink.close();
}
