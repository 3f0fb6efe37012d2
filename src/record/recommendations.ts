// recommendations.csv (DESIGN §4): per container of every workload, its current requests and
// limits, the VPA recommender's target / lower / upper, and the projected monthly saving of
// setting requests to the target. Empty cells where a value does not exist (no limit, a
// resource the VPA does not control, no usage seen).
import { ParquetSink } from '../outputs/parquetSink.ts';
import type { TableFormat } from '../outputs/tables.ts';
import type { RecommendationRow } from '../controllers/vpa/controller.ts';
import { RECOMMENDATIONS, type ColumnOf, type Row } from '../outputs/csvFiles.ts';
import { CsvSink } from './csvSink.ts';
import { money } from '../outputs/format.ts';

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

function recommendationRow(row: RecommendationRow): Row<ColumnOf<typeof RECOMMENDATIONS>> {
  const cell = (v: number | null | undefined) => (v === null || v === undefined ? '' : v);
  const rec = row.recommendation;
  const saving = monthlySavingUsd(row);
  return {
    workload: row.workload, container: row.container,
    cpu_request_m: cell(row.cpuRequestMilli), cpu_limit_m: cell(row.cpuLimitMilli),
    memory_request_bytes: cell(row.memoryRequestBytes), memory_limit_bytes: cell(row.memoryLimitBytes),
    cpu_target_m: cell(rec?.target.cpuMilli), cpu_lower_m: cell(rec?.lower.cpuMilli), cpu_upper_m: cell(rec?.upper.cpuMilli),
    memory_target_bytes: cell(rec?.target.memoryBytes), memory_lower_bytes: cell(rec?.lower.memoryBytes), memory_upper_bytes: cell(rec?.upper.memoryBytes),
    monthly_saving_usd: saving === null ? '' : money(saving),
  };
}

/** Writes `dir/recommendations.csv`, one row per container, at the end of a run. */
export async function writeRecommendations(dir: string, rows: readonly RecommendationRow[], tables: TableFormat = 'csv'): Promise<void> {
  const sink = tables === 'parquet' ? new ParquetSink(dir, RECOMMENDATIONS) : new CsvSink(dir, RECOMMENDATIONS);
  for (const row of rows) sink.write(recommendationRow(row));
  await sink.close();
}
