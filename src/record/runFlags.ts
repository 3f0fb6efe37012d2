// Signs in a finished run that its headline figures hide trouble (issue 14): an HPA pinned at
// maxReplicas, a workload throttled or OOM-killed most of the time, demand mostly unserved,
// pods still pending at the end. Each becomes a warning in summary.json (RunWarning), the
// summary line and the report; the thresholds are below and in docs/outputs.md "Warnings".
// Computed from what the recorder already has: HPA targets' desired replicas at every sample,
// the workloads' usage integrals at the end, and the scheduler's and autoscaler's events.
import type { ApiServer, ClusterEvent } from '../api/apiServer.ts';
import type { WorkloadMetrics } from '../metrics/metricsApi.ts';
import { objectRef } from '../model/objects.ts';
import type { Scenario } from '../model/scenario.ts';
import type { RunWarning } from '../outputs/summary.ts';

/** An HPA at its maxReplicas in more than this share of the run's samples. */
export const HPA_AT_MAX_SHARE = 0.5;
/** A workload that did not get more than this share of the CPU it wanted over the run (limits,
 *  or a busy node: workloads.csv cpu_throttled_pct). */
export const THROTTLED_SHARE = 0.25;
/** A workload with more OOM kills than this per hour of the run (and more than one in all). */
export const OOM_KILLS_PER_HOUR = 1;
/** A workload that served less than this share of the demand offered to it over the run. */
export const SERVED_SHARE = 0.95;

interface HpaWatch {
  hpa: string;
  target: string;
  minReplicas: number;
  maxReplicas: number;
  atMax: number;
  atMin: number;
}

/** How long an HPA held its target at a bound: shares of the run's samples (the advice reads it). */
export interface HpaBoundShare {
  hpa: string;
  target: string;
  minReplicas: number;
  maxReplicas: number;
  atMaxShare: number;
  atMinShare: number;
  /** Shares of the HPA's syncs whose metrics asked for more than maxReplicas, or fewer than
   *  minReplicas (HorizontalController.limitCounts); null when the controller did not say. */
  wantedMoreShare: number | null;
  wantedLessShare: number | null;
}

export class RunFlags {
  private readonly hpas: HpaWatch[];
  private samples = 0;
  /** The scheduler's and the autoscaler's last word on each pod not yet scheduled. */
  private readonly lastFailure = new Map<string, string>();
  private readonly lastNoScaleUp = new Map<string, string>();

  constructor(scenario: Scenario) {
    this.hpas = scenario.objects.flatMap((o) =>
      o.kind === 'HorizontalPodAutoscaler'
        ? [{ hpa: objectRef(o), target: `${o.spec.scaleTargetRef.kind}/${o.metadata.namespace}/${o.spec.scaleTargetRef.name}`, minReplicas: o.spec.minReplicas ?? 1, maxReplicas: o.spec.maxReplicas, atMax: 0, atMin: 0 }]
        : [],
    );
  }

  onEvent(e: ClusterEvent): void {
    if (e.type === 'FailedScheduling') this.lastFailure.set(e.object, e.message);
    else if (e.type === 'NotTriggerScaleUp') this.lastNoScaleUp.set(e.object, e.message);
    else if (e.type === 'Scheduled') {
      this.lastFailure.delete(e.object);
      this.lastNoScaleUp.delete(e.object);
    }
  }

  /** At every sample: which HPA targets are at their maxReplicas. */
  sample(api: ApiServer): void {
    this.samples++;
    for (const h of this.hpas) {
      const desired = api.workloads.get(h.target)?.desiredReplicas() ?? 0;
      if (desired >= h.maxReplicas) h.atMax++;
      else if (desired <= h.minReplicas) h.atMin++;
    }
  }

  hpaBounds(limits?: ReadonlyMap<string, { syncs: number; aboveMax: number; belowMin: number }>): HpaBoundShare[] {
    const share = (n: number) => (this.samples > 0 ? n / this.samples : 0);
    return this.hpas.map((h) => {
      const l = limits?.get(h.hpa);
      const ofSyncs = (n: number | undefined) => (l && l.syncs > 0 ? n! / l.syncs : l ? 0 : null);
      return {
        hpa: h.hpa, target: h.target, minReplicas: h.minReplicas, maxReplicas: h.maxReplicas, atMaxShare: share(h.atMax), atMinShare: share(h.atMin),
        wantedMoreShare: ofSyncs(l?.aboveMax), wantedLessShare: ofSyncs(l?.belowMin),
      };
    });
  }

  /** The run's flags, HPAs first, then workloads in the order they are listed, then pending pods. */
  warnings(api: ApiServer, usage: WorkloadMetrics, endMs: number): RunWarning[] {
    const out: RunWarning[] = [];
    const pct = (share: number) => `${Math.round(share * 100)}%`;
    for (const h of this.hpas) {
      const share = this.samples > 0 ? h.atMax / this.samples : 0;
      if (share <= HPA_AT_MAX_SHARE) continue;
      out.push({
        code: 'hpa-at-max',
        title: 'HPA at maxReplicas',
        objects: [h.hpa, h.target],
        message: `${h.hpa} held ${h.target} at its maxReplicas (${h.maxReplicas}) in ${pct(share)} of the samples: there the cap, not the load, set the replicas, and the cost and the demand served are those of the cap. Raise maxReplicas, or check that the workload's usage model is what you meant.`,
      });
    }
    const hours = endMs / 3_600_000;
    for (const w of api.workloads.all()) {
      const run = usage.workload(w.ref);
      if (!run) continue;
      const throttled = run.cpuWantMilliMs > 0 ? run.cpuThrottledMilliMs / run.cpuWantMilliMs : 0;
      if (throttled > THROTTLED_SHARE) {
        out.push({
          code: 'cpu-throttled',
          title: 'CPU throttled',
          objects: [w.ref],
          message: `${w.ref} did not get ${pct(throttled)} of the CPU its containers wanted over the run (held at their CPU limits, or short on a busy node): it ran slower than its load asked. Raise its CPU limits or requests, or add replicas.`,
        });
      }
      if (run.oomKills > 1 && run.oomKills > OOM_KILLS_PER_HOUR * hours) {
        out.push({
          code: 'oom-kills',
          title: 'OOM kills',
          objects: [w.ref],
          message: `${w.ref} had ${run.oomKills} OOM kills in ${formatHours(hours)} (${(run.oomKills / hours).toFixed(1)} per hour): its containers need more memory than their limits. Raise its memory limits (recommendations.csv has a target).`,
        });
      }
      if (run.demandUnitMs > 0 && run.servedUnitMs / run.demandUnitMs < SERVED_SHARE) {
        out.push({
          code: 'demand-unserved',
          title: 'demand unserved',
          objects: [w.ref],
          message: `${w.ref} served ${pct(run.servedUnitMs / run.demandUnitMs)} of its demand over the run: its Ready pods did not have the CPU (or were not Ready) for the rest.`,
        });
      }
    }
    out.push(...this.pendingWarnings(api));
    return out;
  }

  /** Pods still waiting for a node at the end, by workload (bare pods by namespace, as their
   *  usage record), with the scheduler's last reason: the most common one when they differ. */
  private pendingWarnings(api: ApiServer): RunWarning[] {
    const groups = new Map<string, { pods: string[]; reasons: Map<string, number> }>();
    for (const pod of api.pods.values()) {
      if (pod.node !== null || pod.deletionMs >= 0 || pod.phase !== 'Pending') continue;
      const object = `Pod/${pod.namespace}/${pod.name}`;
      const ref = pod.workload ?? `Pod/${pod.namespace}/*`;
      const failed = this.lastFailure.get(object);
      const noScaleUp = this.lastNoScaleUp.get(object);
      const reason =
        pod.spec.nodeName ? `it names node ${pod.spec.nodeName}, which does not exist`
        : failed ? `the scheduler's last word: "${failed}"${noScaleUp ? `; the cluster autoscaler's: "${noScaleUp}"` : ''}`
        : 'the scheduler has not tried it yet';
      let group = groups.get(ref);
      if (!group) groups.set(ref, (group = { pods: [], reasons: new Map() }));
      group.pods.push(pod.name);
      group.reasons.set(reason, (group.reasons.get(reason) ?? 0) + 1);
    }
    return [...groups].map(([ref, g]) => {
      const n = g.pods.length;
      const bare = ref.endsWith('/*') ? ` (${g.pods.slice(0, 5).join(', ')}${n > 5 ? ` and ${n - 5} more` : ''})` : '';
      // The most common reason, the first met on a tie (Map order).
      const [reason, count] = [...g.reasons].reduce((best, r) => (r[1] > best[1] ? r : best));
      const which = count === n ? '' : `. On ${count === 1 ? 'the first' : `${count} of them`} (every pod's is in events.csv)`;
      const text = which ? `${which}, ${reason}` : `: ${reason}`;
      return {
        code: 'pods-pending' as const,
        title: 'pods pending at the end',
        objects: [ref],
        message: `${n} pod${n === 1 ? '' : 's'} of ${ref}${bare} ${n === 1 ? 'was' : 'were'} still pending at the end${text}${/\.["]?$/.test(text) ? '' : '.'}`,
      };
    });
  }
}

function formatHours(hours: number): string {
  return hours >= 48 ? `${Number((hours / 24).toFixed(1))} days` : `${Number(hours.toFixed(1))} hours`;
}
