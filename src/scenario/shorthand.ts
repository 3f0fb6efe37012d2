// The `workloads:` shorthand -> the Kubernetes objects it stands for (a Deployment, StatefulSet,
// DaemonSet, Job or CronJob, plus an HPA, VPA and PDB of the same name). The objects are plain
// manifests in upstream shape, read by the same code as manifest files; a problem found in one
// is reported at the shorthand field it came from.
import type { PathPart } from './source.ts';
import type { WorkloadDocument } from './schema.ts';

export interface Generated {
  kind: string;
  manifest: Record<string, unknown>;
  /** Maps a path inside the manifest to the shorthand field it came from (undefined: the entry). */
  mapPath(path: readonly PathPart[]): PathPart[] | undefined;
}

const POD_FIELDS = ['containers', 'initContainers', 'priorityClassName', 'nodeSelector', 'tolerations', 'affinity', 'topologySpreadConstraints', 'terminationGracePeriodSeconds', 'restartPolicy'] as const;

function startsWith(path: readonly PathPart[], prefix: readonly PathPart[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

/** Rewrites `from.rest` to `to.rest` for the first matching prefix: where a problem found in the
 *  object a shorthand became is reported in the shorthand (workloads here, karpenter.nodePools). */
export function mapper(rules: [PathPart[], PathPart[]][]) {
  return (path: readonly PathPart[]): PathPart[] | undefined => {
    for (const [from, to] of rules) if (startsWith(path, from)) return [...to, ...path.slice(from.length)];
    return undefined;
  };
}

function clean<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export function expandWorkload(w: WorkloadDocument): Generated[] {
  return build(w).map((g) => ({ ...g, manifest: structuredClone(g.manifest) })); // no shared parts between objects
}

function build(w: WorkloadDocument): Generated[] {
  const labels = { app: w.name, ...w.labels };
  const metadata = (extra: Record<string, unknown> = {}) => clean({ name: w.name, namespace: w.namespace, labels, annotations: w.annotations, ...extra });
  const podSpec = clean({
    containers: w.containers,
    initContainers: w.initContainers,
    priorityClassName: w.priorityClassName,
    nodeSelector: w.nodeSelector,
    tolerations: w.tolerations,
    affinity: w.affinity,
    topologySpreadConstraints: w.topologySpreadConstraints,
    terminationGracePeriodSeconds: w.terminationGracePeriodSeconds,
    // kubectl create job sets Never, kubectl create cronjob OnFailure; capsim does the same.
    restartPolicy: w.kind === 'Job' ? w.restartPolicy ?? 'Never' : w.kind === 'CronJob' ? w.restartPolicy ?? 'OnFailure' : undefined,
  } as Record<string, unknown>);
  // Labels and annotations go on the pods too (e.g. cluster-autoscaler.kubernetes.io/safe-to-evict).
  const template = { metadata: clean({ labels, annotations: w.annotations }), spec: podSpec };
  const selector = { matchLabels: labels };
  const common: [PathPart[], PathPart[]][] = [
    [['metadata', 'name'], ['name']],
    [['metadata', 'namespace'], ['namespace']],
    [['metadata', 'labels'], ['labels']],
    [['metadata', 'annotations'], ['annotations']],
  ];
  const podRules = (prefix: PathPart[]): [PathPart[], PathPart[]][] => POD_FIELDS.map((f) => [[...prefix, f], [f]]);

  const out: Generated[] = [];
  const strategyType = w.strategy?.type;
  switch (w.kind) {
    case 'Deployment':
      out.push({
        kind: 'Deployment',
        manifest: {
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: metadata(),
          spec: clean({ replicas: w.replicas ?? 1, selector, template, strategy: w.strategy }),
        },
        mapPath: mapper([...common, [['spec', 'replicas'], ['replicas']], [['spec', 'strategy'], ['strategy']], ...podRules(['spec', 'template', 'spec'])]),
      });
      break;
    case 'StatefulSet':
    case 'DaemonSet': {
      const rollingUpdate = w.strategy?.rollingUpdate;
      const updateStrategy = w.strategy ? clean({ type: strategyType, rollingUpdate }) : undefined;
      out.push({
        kind: w.kind,
        manifest: {
          apiVersion: 'apps/v1', kind: w.kind, metadata: metadata(),
          spec: clean({ replicas: w.kind === 'StatefulSet' ? w.replicas ?? 1 : undefined, selector, template, updateStrategy }),
        },
        mapPath: mapper([...common, [['spec', 'replicas'], ['replicas']], [['spec', 'updateStrategy'], ['strategy']], ...podRules(['spec', 'template', 'spec'])]),
      });
      break;
    }
    case 'Job':
    case 'CronJob': {
      const jobSpec = clean({ parallelism: w.parallelism, completions: w.completions, backoffLimit: w.backoffLimit, template } as Record<string, unknown>);
      const jobRules: [PathPart[], PathPart[]][] = [['parallelism'], ['completions'], ['backoffLimit']].map((f) => [[...(w.kind === 'Job' ? ['spec'] : ['spec', 'jobTemplate', 'spec']), ...f], f]);
      if (w.kind === 'Job') {
        out.push({
          kind: 'Job',
          manifest: { apiVersion: 'batch/v1', kind: 'Job', metadata: metadata(), spec: jobSpec },
          mapPath: mapper([...common, ...jobRules, ...podRules(['spec', 'template', 'spec'])]),
        });
      } else {
        out.push({
          kind: 'CronJob',
          manifest: {
            apiVersion: 'batch/v1', kind: 'CronJob', metadata: metadata(),
            spec: clean({ schedule: w.schedule, concurrencyPolicy: w.concurrencyPolicy, jobTemplate: { metadata: { labels }, spec: jobSpec } }),
          },
          mapPath: mapper([...common, [['spec', 'schedule'], ['schedule']], [['spec', 'concurrencyPolicy'], ['concurrencyPolicy']], ...jobRules, ...podRules(['spec', 'jobTemplate', 'spec', 'template', 'spec'])]),
        });
      }
      break;
    }
  }

  const targetRef = { apiVersion: out[0].manifest.apiVersion, kind: w.kind, name: w.name };
  const ownMeta = () => clean({ name: w.name, namespace: w.namespace, labels });
  if (w.hpa) {
    out.push({
      kind: 'HorizontalPodAutoscaler',
      manifest: {
        apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: ownMeta(),
        spec: clean({ scaleTargetRef: targetRef, minReplicas: w.hpa.minReplicas, maxReplicas: w.hpa.maxReplicas, metrics: w.hpa.metrics.map(hpaMetric), behavior: w.hpa.behavior }),
      },
      mapPath: mapper([[['spec', 'behavior'], ['hpa', 'behavior']], ...shortMetricRules(w.hpa.metrics), [['spec', 'metrics'], ['hpa', 'metrics']], [['spec', 'minReplicas'], ['hpa', 'minReplicas']], [['spec', 'maxReplicas'], ['hpa', 'maxReplicas']], [['spec'], ['hpa']]]),
    });
  }
  if (w.vpa) {
    out.push({
      kind: 'VerticalPodAutoscaler',
      manifest: {
        apiVersion: 'autoscaling.k8s.io/v1', kind: 'VerticalPodAutoscaler', metadata: ownMeta(),
        spec: clean({
          targetRef,
          updatePolicy: clean({ updateMode: w.vpa.updateMode, minReplicas: w.vpa.minReplicas }),
          resourcePolicy: w.vpa.containerPolicies ? { containerPolicies: w.vpa.containerPolicies } : undefined,
        }),
      },
      mapPath: mapper([[['spec', 'updatePolicy'], ['vpa']], [['spec', 'resourcePolicy', 'containerPolicies'], ['vpa', 'containerPolicies']], [['spec'], ['vpa']]]),
    });
  }
  if (w.pdb) {
    out.push({
      kind: 'PodDisruptionBudget',
      manifest: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: ownMeta(), spec: clean({ selector, ...w.pdb }) },
      mapPath: mapper([[['spec'], ['pdb']]]),
    });
  }
  return out;
}

type MetricShorthand = NonNullable<WorkloadDocument['hpa']>['metrics'][number];

/** Where a problem in a generated MetricSpec is in the short form: its target's fields are the
 *  item's own (`resource.target.averageValue` is `averageValue`), or inside pods:/external:. An
 *  autoscaling/v2 item is as written. */
function shortMetricRules(metrics: readonly MetricShorthand[]): [PathPart[], PathPart[]][] {
  return metrics.flatMap((m, i): [PathPart[], PathPart[]][] => {
    if (m.type !== undefined) return [];
    const at = ['hpa', 'metrics', i];
    return [
      ...['resource', 'containerResource'].map((member): [PathPart[], PathPart[]] => [['spec', 'metrics', i, member, 'target'], at]),
      ...['pods', 'external'].map((member): [PathPart[], PathPart[]] => [['spec', 'metrics', i, member, 'target'], [...at, member]]),
      [['spec', 'metrics', i], at],
    ];
  });
}

/** `{resource: cpu, averageUtilization: 60}` -> an autoscaling/v2 MetricSpec; a MetricSpec
 *  (`type: Resource`, ...) is one already. */
function hpaMetric(m: MetricShorthand): Record<string, unknown> {
  if (m.type !== undefined) return m;
  if (m.pods) return { type: 'Pods', pods: { metric: { name: m.pods.name }, target: { type: 'AverageValue', averageValue: m.pods.averageValue } } };
  if (m.external) {
    const target = m.external.value !== undefined ? { type: 'Value', value: m.external.value } : { type: 'AverageValue', averageValue: m.external.averageValue };
    return { type: 'External', external: { metric: { name: m.external.name }, target } };
  }
  const target = m.averageUtilization !== undefined ? { type: 'Utilization', averageUtilization: m.averageUtilization } : { type: 'AverageValue', averageValue: m.averageValue };
  if (m.container) return { type: 'ContainerResource', containerResource: { name: m.resource, container: m.container, target } };
  return { type: 'Resource', resource: { name: m.resource, target } };
}
