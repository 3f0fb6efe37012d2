// What a scenario lacks that a result depends on, said before it runs (issue 14: a plausible
// wrong answer is the worst bug). Each check is about the model, not the manifests' validity:
// an HPA reading a usage the scenario never gave (capsim then uses the requests, so a CPU HPA
// climbs to maxReplicas), a VPA recommending from the requests, demand that no usage depends on,
// a trace that does not cover the run. `capsim validate` prints them, `capsim run` prints them
// and writes them into summary.json's `warnings` (docs/outputs.md "Warnings"); the pod-fit
// check, which needs the scheduler's filters, is src/preflight.ts.
import type { HpaMetric, HpaObject, KubeObject, VpaObject } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import type { Container } from '../model/pod.ts';
import type { Behavior, DemandPattern, Scenario } from '../model/scenario.ts';
import type { RunWarning } from '../outputs/summary.ts';
import path from 'node:path';
import { formatDuration } from '../duration.ts';
import { formatBytes, formatCpuMilli } from '../quantity.ts';
import { podSpecOf } from './references.ts';
import { own } from '../model/records.ts';
import { nodePriceWarnings, poolPriceWarnings } from './nodeWarnings.ts';

/** The HPA's default tolerance (replica_calculator.go; controllers/hpa DEFAULT_TOLERANCE). */
const HPA_TOLERANCE = 0.1;
/** Workloads named in a warning's message; the rest are counted (all are in `objects`). */
const NAMED = 6;

type Resource = 'cpu' | 'memory';

/** Every warning about the scenario's model, in a stable order: autoscalers, then workloads,
 *  then traces, then the prices of Node manifests. */
export function scenarioWarnings(scenario: Scenario): RunWarning[] {
  const model = new UsageModels(scenario);
  const warnings: RunWarning[] = [...scenario.clusterState.warnings];
  // A held HPA (an HPA of a cluster's state with nothing modelled to read) has its own warning.
  for (const o of scenario.objects) if (o.kind === 'HorizontalPodAutoscaler' && !o.hold) warnings.push(...hpaWarnings(o, model));
  for (const o of scenario.objects) if (o.kind === 'VerticalPodAutoscaler') warnings.push(...vpaWarnings(o, model));
  warnings.push(...workloadWarnings(scenario, model));
  warnings.push(...traceWarnings(scenario), ...podTraceWarnings(scenario));
  warnings.push(...nodePriceWarnings(scenario), ...poolPriceWarnings(scenario));
  return warnings;
}

/** The behavior and containers of each workload, by "Kind/namespace/name". */
export class UsageModels {
  private readonly behaviors: Map<string, Behavior>;
  private readonly objects: Map<string, KubeObject>;

  constructor(scenario: Pick<Scenario, 'behavior' | 'objects'>) {
    this.behaviors = new Map(scenario.behavior.map((b) => [b.target, b]));
    this.objects = new Map(scenario.objects.map((o) => [objectRef(o), o]));
  }

  behavior(ref: string): Behavior | undefined {
    return this.behaviors.get(ref);
  }

  containers(ref: string): Container[] {
    const o = this.objects.get(ref);
    return (o && podSpecOf(o)?.spec.containers) ?? [];
  }

  /** Whether the container's usage of a resource is modelled (else it is its request). */
  modelled(ref: string, container: string, resource: Resource): boolean {
    return Boolean(own(this.behaviors.get(ref)?.usage, container)?.[resource]);
  }

  hasDemand(ref: string): boolean {
    return (this.behaviors.get(ref)?.demand.length ?? 0) > 0;
  }

  /** Containers that request the resource and use exactly that (no usage model for it). */
  fromRequests(ref: string, resource: Resource, only?: string): Container[] {
    return this.containers(ref).filter((c) => (only === undefined || c.name === only) && (c.requests[resource] ?? 0) > 0 && !this.modelled(ref, c.name, resource));
  }
}

function hpaWarnings(hpa: HpaObject, model: UsageModels): RunWarning[] {
  const { scaleTargetRef: t, minReplicas, maxReplicas } = hpa.spec;
  const hpaRef = objectRef(hpa);
  const target = `${t.kind}/${hpa.metadata.namespace}/${t.name}`;
  const out: RunWarning[] = [];
  const tolerance = hpa.spec.behavior?.scaleUp?.tolerance ?? HPA_TOLERANCE;
  for (const metric of hpa.spec.metrics) {
    const resource = resourceOf(metric);
    if (resource) {
      const only = metric.type === 'ContainerResource' ? metric.containerResource.container : undefined;
      const lacking = model.fromRequests(target, resource, only);
      if (lacking.length === 0) continue;
      const all = !model.containers(target).some((c) => (only === undefined || c.name === only) && model.modelled(target, c.name, resource));
      const names = lacking.map((c) => c.name).join(', ');
      const fix = `give ${target} a usage model (behavior[].usage.${lacking[0].name}.${resource} with base and perUnit, and a demand)`;
      let what: string;
      if (all) {
        const reading = targetReading(metric, lacking, resource);
        const course =
          reading === null ? ''
          : reading.ratio > 1 + tolerance ? `, so it climbs to maxReplicas (${maxReplicas}) and stays there`
          : reading.ratio < 1 - tolerance ? `, so it falls to minReplicas (${minReplicas}) and stays there`
          : ', so it never scales';
        const who = lacking.length === 1 ? `its container ${names} has no` : `none of its containers (${names}) has a`;
        what = `${hpaRef} scales ${target} on ${resource}, but ${who} ${resource} usage model: capsim uses exactly the requests whatever the load${reading ? `, ${reading.text}` : ''}${course}.`;
      } else {
        what = `${hpaRef} scales ${target} on ${resource}, but its container${lacking.length === 1 ? '' : 's'} ${names} ${lacking.length === 1 ? 'has' : 'have'} no ${resource} usage model and count${lacking.length === 1 ? 's' : ''} at exactly ${lacking.length === 1 ? 'its request' : 'their requests'}, which pulls the HPA's utilization toward 100% whatever the load.`;
      }
      out.push({ code: 'hpa-without-usage', title: 'HPA reads requests, not usage', objects: [hpaRef, target], message: `${what} To size it by load, ${fix}.` });
    } else if ((metric.type === 'Pods' || metric.type === 'External') && !model.hasDemand(target)) {
      const name = metric.type === 'Pods' ? metric.pods.metric.name : metric.external.metric.name;
      const reads = metric.type === 'Pods' ? "each pod's share of the workload's demand" : "the workload's demand";
      out.push({
        code: 'hpa-without-demand',
        title: 'HPA metric without demand',
        objects: [hpaRef, target],
        message: `${hpaRef} scales ${target} on the ${metric.type} metric "${name}", which capsim reads as ${reads}; ${target} has no demand (behavior[].demand), so the metric is 0 and the HPA falls to minReplicas (${minReplicas}) and stays there. Add a demand for ${target}.`,
      });
    }
  }
  return out;
}

export function resourceOf(metric: HpaMetric): Resource | null {
  const name = metric.type === 'Resource' ? metric.resource.name : metric.type === 'ContainerResource' ? metric.containerResource.name : null;
  return name === 'cpu' || name === 'memory' ? name : null;
}

/** What the metric reads when every counted container uses its request, against its target:
 *  100% of requests against a Utilization target, the summed requests against an AverageValue. */
export function targetReading(metric: HpaMetric, containers: Container[], resource: Resource): { ratio: number; text: string } | null {
  const target = metric.type === 'Resource' ? metric.resource.target : metric.type === 'ContainerResource' ? metric.containerResource.target : null;
  if (!target) return null;
  if (target.type === 'Utilization' && target.averageUtilization) {
    return { ratio: 100 / target.averageUtilization, text: `a utilization of 100% against a target of ${target.averageUtilization}%` };
  }
  if (target.type === 'AverageValue' && target.averageValueMilli) {
    // Metric quantities compare as MilliValue(): millicores for cpu, bytes x 1000 for memory.
    const perPod = containers.reduce((sum, c) => sum + (c.requests[resource] ?? 0), 0);
    const perPodMilli = resource === 'cpu' ? perPod : perPod * 1000;
    const shown = (milli: number) => (resource === 'cpu' ? formatCpuMilli(milli) : formatBytes(Math.round(milli / 1000)));
    return { ratio: perPodMilli / target.averageValueMilli, text: `${shown(perPodMilli)} a pod against a target of ${shown(target.averageValueMilli)}` };
  }
  return null;
}

function vpaWarnings(vpa: VpaObject, model: UsageModels): RunWarning[] {
  const t = vpa.spec.targetRef;
  const target = `${t.kind}/${vpa.metadata.namespace}/${t.name}`;
  const policies = vpa.spec.resourcePolicy.containerPolicies;
  const lacking: string[] = [];
  for (const c of model.containers(target)) {
    const policy = policies.find((p) => p.containerName === c.name) ?? policies.find((p) => p.containerName === '*');
    if (policy?.mode === 'Off') continue;
    const controlled = (policy?.controlledResources ?? ['cpu', 'memory']).filter((r): r is Resource => r === 'cpu' || r === 'memory');
    const missing = controlled.filter((r) => model.fromRequests(target, r, c.name).length > 0);
    if (missing.length > 0) lacking.push(`${c.name} (${missing.join(', ')})`);
  }
  if (lacking.length === 0) return [];
  const vpaRef = objectRef(vpa);
  const mode = vpa.spec.updatePolicy.updateMode;
  const acts = mode === 'Off' ? '' : ` In ${mode} mode each pod it ${mode === 'Initial' ? 'admits' : 'recreates'} gets the recommendation as its requests and then uses exactly that, so the requests grow with every ${mode === 'Initial' ? 'new pod' : 'round of evictions'}.`;
  return [{
    code: 'vpa-without-usage',
    title: 'VPA sizes requests, not usage',
    objects: [vpaRef, target],
    message: `${vpaRef} sizes ${target}, but ${lacking.join(', ')} ${lacking.length === 1 ? 'has' : 'have'} no usage model: capsim uses exactly the requests, so the recommendations are the requests plus the recommender's margin, not what the containers need.${acts} Give ${target} a usage model (behavior[].usage).`,
  }];
}

/** Workloads whose usage does not follow what the scenario says about them. */
function workloadWarnings(scenario: Scenario, model: UsageModels): RunWarning[] {
  const fromRequests: string[] = [];
  const demandOnly: string[] = [];
  const perUnitOnly: string[] = [];
  const seen = new Set<string>();
  for (const o of scenario.objects) {
    // A pod of a workload counts under it (a cluster's state: clusterState.ts).
    if (!podSpecOf(o) || (o.kind === 'Pod' && o.state?.workload)) continue;
    const ref = objectRef(o);
    // Bare pods without a behavior share one usage record per namespace (kubelet/podGroups.ts).
    const shown = o.kind === 'Pod' && !model.behavior(ref) ? `Pod/${o.metadata.namespace}/*` : ref;
    if (!seen.has(shown) && (model.fromRequests(ref, 'cpu').length > 0 || model.fromRequests(ref, 'memory').length > 0)) {
      seen.add(shown);
      fromRequests.push(shown);
    }
    const b = model.behavior(ref);
    if (!b) continue;
    const usages = Object.values(b.usage);
    const perUnit = usages.some((u) => (u.cpu?.perUnitMilli ?? 0) > 0 || (u.memory?.perUnitBytes ?? 0) > 0);
    if (b.demand.length > 0 && !usages.some((u) => (u.cpu?.perUnitMilli ?? 0) > 0)) demandOnly.push(ref);
    if (b.demand.length === 0 && perUnit) perUnitOnly.push(ref);
  }
  const out: RunWarning[] = [];
  if (fromRequests.length > 0) {
    out.push({
      code: 'usage-from-requests',
      title: 'usage = requests',
      objects: fromRequests,
      message: `${named(fromRequests)} ${fromRequests.length === 1 ? 'has' : 'have'} containers without a usage model for cpu or memory (behavior[].usage): they use exactly their requests of it, so their used CPU and memory equal what they request and their recommendations (the requests plus the recommender's margin) say nothing about what they need.`,
    });
  }
  if (demandOnly.length > 0) {
    out.push({
      code: 'demand-without-usage',
      title: 'demand does not drive usage',
      objects: demandOnly,
      message: `${named(demandOnly)} ${demandOnly.length === 1 ? 'has' : 'have'} a demand but no container whose CPU grows with it (usage.<container>.cpu.perUnit): their pods serve any load without using more CPU, so all of the demand is served while a pod is Ready and usage does not follow the load. Set cpu.perUnit for the container that does the work.`,
    });
  }
  if (perUnitOnly.length > 0) {
    out.push({
      code: 'usage-without-demand',
      title: 'usage per unit without demand',
      objects: perUnitOnly,
      message: `${named(perUnitOnly)} ${perUnitOnly.length === 1 ? 'sets' : 'set'} a usage perUnit but no demand (behavior[].demand): their load is 0, so perUnit has no effect and they use their base only. Add a demand, or drop perUnit.`,
    });
  }
  return out;
}

/** "A, B and 3 more" */
function named(refs: readonly string[]): string {
  const shown = refs.slice(0, NAMED);
  const more = refs.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** A pod trace's pods are bare pods (kubectl/traceReplay.ts): the cluster autoscaler removes no
 *  node while one runs there (drainability.ts: NotReplicated), where the same pods under a Job
 *  would let it, so with the autoscaler the node count stays high and looks like demand. */
function podTraceWarnings(scenario: Scenario): RunWarning[] {
  if (!scenario.traces || !scenario.cluster.autoscaler || !scenario.cluster.autoscaler.scaleDownEnabled) return [];
  const files = scenario.traces.map((t) => path.basename(t.shown));
  return [{
    code: 'trace-pods-bare',
    title: 'trace pods block scale-down',
    objects: files.map((f) => `Trace/-/${f}`),
    message: `The pods of ${files.join(', ')} are bare pods, with no controller: the cluster autoscaler removes no node while one of them runs there, and a pod the cluster deletes (a drain, a preemption, a lost node) is not created again. Pods a Job ran would let it, so the node count after a scale-up may stay higher than the trace's cluster had. Give the pods a duration and a deletion time so that they go, or read the scale-down figures with this in mind.`,
  }];
}

/** A trace is replayed linearly between its points and held flat outside them: part of the run
 *  it does not reach is a flat line that looks like data. A gap of up to one median step of the
 *  trace at either end is its resolution, not a hole. */
function traceWarnings(scenario: Scenario): RunWarning[] {
  const out: RunWarning[] = [];
  const endMs = scenario.durationMs;
  const at = (ms: number) => new Date(scenario.startEpochMs + ms).toISOString().replace('.000Z', 'Z');
  for (const b of scenario.behavior) {
    for (const pattern of b.demand) {
      const trace = traceOf(pattern);
      if (!trace || trace.timesMs.length === 0) continue;
      const times = trace.timesMs;
      const first = times[0];
      const last = times[times.length - 1];
      // The file's name only: summary.json must not depend on where capsim was started from.
      const covers = `${path.basename(trace.file)} covers ${at(first)} to ${at(last)}; the run is ${at(0)} to ${at(endMs)}`;
      const problems: string[] = [];
      if (last < 0 || first > endMs) {
        const whole = first > endMs ? `its first value (${trace.values[0]})` : `its last value (${trace.values[times.length - 1]})`;
        problems.push(`has no point inside the run, so the demand it gives is ${whole} all along`);
        problems.push(`set spec.start to ${at(first)} to replay it from its beginning`);
      } else {
        const step = medianStep(times);
        if (first > step) problems.push(`starts ${formatDuration(roundedMs(first))} after the run's start: until then the demand it gives is its first value (${trace.values[0]})`);
        if (endMs - last > step) problems.push(`ends ${formatDuration(roundedMs(endMs - last))} before the run's end: from then on it gives its last value (${trace.values[times.length - 1]})`);
        if (problems.length === 0) continue;
        problems.push('shorten spec.duration or move spec.start to fit the trace, or extend it');
      }
      const fix = problems.pop()!;
      out.push({
        code: 'trace-coverage',
        title: 'trace does not cover the run',
        objects: [b.target],
        message: `The demand trace of ${b.target} ${problems.join(', and ')} (${covers}). ${fix[0].toUpperCase()}${fix.slice(1)}.`,
      });
    }
  }
  return out;
}

function traceOf(p: DemandPattern): Extract<DemandPattern, { trace: unknown }>['trace'] | null {
  return 'trace' in p ? p.trace : null;
}

/** The median gap between consecutive points; Infinity for a single point (a constant). */
function medianStep(times: readonly number[]): number {
  if (times.length < 2) return Infinity;
  const gaps = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}

/** A gap for a message: whole seconds (a trace's times may have milliseconds). */
function roundedMs(ms: number): number {
  return Math.max(1000, Math.round(ms / 1000) * 1000);
}
