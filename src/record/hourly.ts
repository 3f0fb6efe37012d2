// hourly.csv: each UTC hour's cost and carbon by node pool, summed from the charge periods as
// the cost allocation settles them. It is what the report's carbon chart draws, and small
// (hours x pools rows) where focus.csv, one row per workload per node-hour, is left out.
import type { CarbonOf, ChargeListener, NodeCharge } from '../cost/chargePeriod.ts';
import type { HOURLY, ColumnOf } from '../outputs/csvFiles.ts';
import { isoTime, money, round, seconds } from '../outputs/format.ts';
import type { LineSink } from './csvSink.ts';

interface PoolHour {
  nodeMs: number;
  listUsd: number;
  usd: number;
  allocatedUsd: number;
  energyKwh: number;
  kgCo2e: number;
  /** Some node of the pool had a carbon estimate this hour. */
  estimated: boolean;
}

export class HourlyRecorder implements ChargeListener {
  private periodStartMs: number | null = null;
  private readonly pools = new Map<string, PoolHour>();

  constructor(
    private readonly sink: LineSink<ColumnOf<typeof HOURLY>>,
    private readonly carbonOf: CarbonOf,
    private readonly startEpochMs: number,
  ) {}

  nodeCharge(charge: NodeCharge): void {
    if (charge.periodStartMs !== this.periodStartMs) {
      this.flush();
      this.periodStartMs = charge.periodStartMs;
    }
    const pool = charge.node.pool ?? '(manifest nodes)';
    let hour = this.pools.get(pool);
    if (!hour) this.pools.set(pool, (hour = { nodeMs: 0, listUsd: 0, usd: 0, allocatedUsd: 0, energyKwh: 0, kgCo2e: 0, estimated: false }));
    hour.nodeMs += charge.aliveMs;
    hour.listUsd += charge.listUsd;
    hour.usd += charge.effectiveUsd;
    hour.allocatedUsd += charge.allocatedUsd;
    const carbon = this.carbonOf(charge);
    if (carbon) {
      hour.energyKwh += carbon.energyKwh;
      hour.kgCo2e += carbon.kgCo2e;
      hour.estimated = true;
    }
  }

  finish(): void {
    this.flush();
  }

  private flush(): void {
    if (this.periodStartMs === null) return;
    const t = this.periodStartMs;
    for (const pool of [...this.pools.keys()].sort()) {
      const h = this.pools.get(pool)!;
      this.sink.write({
        t: seconds(t), time: isoTime(this.startEpochMs, t), pool,
        node_hours: round(h.nodeMs / 3_600_000, 6), list_usd: money(h.listUsd), cost_usd: money(h.usd), allocated_usd: money(h.allocatedUsd),
        energy_kwh: h.estimated ? round(h.energyKwh, 6) : '', kgco2e: h.estimated ? round(h.kgCo2e, 6) : '',
      });
    }
    this.pools.clear();
  }
}
