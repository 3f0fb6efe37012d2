// How far an HPA swings its target, for runSize.ts: the replicas it asks for at the lowest and the
// highest demand the target's `behavior` gives, and how many times a run goes between them. Each
// swing creates about as many pods as it spans (the scale-down deletes them, the next scale-up
// creates new ones).
import type { Behavior } from '../model/scenario.ts';
import type { DeploymentObject, HpaObject, StatefulSetObject } from '../model/objects.ts';
import { containerModel } from '../workload/usage.ts';

const DAY_MS = 86_400_000;

export interface HpaSwing {
  /** Replicas at the lowest and the highest demand, within minReplicas..maxReplicas. */
  low: number;
  high: number;
  /** Swings from low to high and back over the run. */
  cycles: number;
  /** False when no metric could be solved for the demand: then low and high are min and max. */
  solved: boolean;
}

/** The demand's range, from constants and traces times the factors at their extremes (noise
 *  left out), and how many times it goes round: daily each day, a trace about once a day,
 *  weekly each week, growth and spikes once. Null without demand. */
export function demandRange(b: Behavior | undefined, durationMs: number): { low: number; high: number; cycles: number } | null {
  if (!b || b.demand.length === 0) return null;
  const days = durationMs / DAY_MS;
  let low = 0;
  let high = 0;
  let cycles = 0;
  const factors: [number, number][] = [];
  for (const d of b.demand) {
    if ('constant' in d) {
      low += d.constant;
      high += d.constant;
    } else if ('trace' in d) {
      low += d.trace.values.length ? Math.min(...d.trace.values) : 0;
      high += d.trace.values.length ? Math.max(...d.trace.values) : 0;
      cycles = Math.max(cycles, days);
    } else if ('daily' in d) {
      factors.push([1 - d.daily.amplitude, 1 + d.daily.amplitude]);
      cycles = Math.max(cycles, days);
    } else if ('weekly' in d) {
      factors.push([Math.min(1, d.weekly.weekendFactor), Math.max(1, d.weekly.weekendFactor)]);
      cycles = Math.max(cycles, days / 7);
    } else if ('growth' in d) {
      factors.push([Math.min(1, (1 + d.growth.perDay) ** days), Math.max(1, (1 + d.growth.perDay) ** days)]);
      cycles = Math.max(cycles, 1);
    } else if ('spike' in d) {
      factors.push([Math.min(1, d.spike.factor), Math.max(1, d.spike.factor)]);
      cycles = Math.max(cycles, 1);
    }
  }
  for (const [l, h] of factors) {
    low *= l;
    high *= h;
  }
  return { low: Math.max(0, low), high: Math.max(0, high), cycles };
}

/**
 * The HPA's replicas at the demand's extremes, from its first metric that the demand decides:
 * cpu Utilization of requests (each Ready pod uses base + perUnit x its share of the demand,
 * workload/usage.ts containerModel; a container without `usage` uses its request), or a Pods or External
 * metric's AverageValue (the demand per pod, README "Autoscaling: HPA"). Without one: the HPA's
 * min and max, a swing a day when the demand varies.
 */
export function hpaSwing(hpa: HpaObject, o: DeploymentObject | StatefulSetObject, b: Behavior | undefined, durationMs: number): HpaSwing {
  const { minReplicas, maxReplicas } = hpa.spec;
  const clamp = (n: number) => Math.min(maxReplicas, Math.max(minReplicas, Math.ceil(n)));
  const range = demandRange(b, durationMs);
  const perDemand = range ? replicasPerDemand(hpa, o, b!) : null;
  if (!range) return { low: clamp(o.spec.replicas), high: clamp(o.spec.replicas), cycles: 0, solved: false };
  if (!perDemand) return { low: minReplicas, high: maxReplicas, cycles: range.high > range.low ? range.cycles : 0, solved: false };
  return { low: clamp(perDemand(range.low)), high: clamp(perDemand(range.high)), cycles: range.cycles, solved: true };
}

function replicasPerDemand(hpa: HpaObject, o: DeploymentObject | StatefulSetObject, b: Behavior): ((demand: number) => number) | null {
  for (const m of hpa.spec.metrics) {
    if (m.type === 'Resource' && m.resource.name === 'cpu' && m.resource.target.type === 'Utilization' && m.resource.target.averageUtilization) {
      let request = 0;
      let base = 0;
      let perUnit = 0;
      for (const c of o.spec.template.spec.containers) {
        const model = containerModel(c, b.usage[c.name]);
        request += model.cpuRequestMilli;
        base += model.cpuBaseMilli;
        perUnit += model.cpuPerUnitMilli;
      }
      const room = (request * m.resource.target.averageUtilization) / 100 - base;
      if (request <= 0) continue;
      return (demand) => (room > 0 ? (perUnit * demand) / room : Infinity);
    }
    const target = m.type === 'Pods' ? m.pods.target : m.type === 'External' ? m.external.target : null;
    if (target?.type === 'AverageValue' && target.averageValueMilli) {
      const perPod = target.averageValueMilli / 1000;
      return (demand) => demand / perPod;
    }
  }
  return null;
}
