// The fast pre-check used for Kubernetes objects must agree with zod: it may only say "valid"
// when zod accepts the value unchanged. Checked on random mutations of real manifests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { z } from 'zod';
import { fastCheck } from '../src/scenario/fastCheck.ts';
import { KINDS } from '../src/scenario/kube/kinds.ts';

const SAMPLES: Record<string, unknown>[] = [
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    spec: {
      replicas: 3, selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          priorityClassName: 'high',
          tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
          containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } }, readinessProbe: { httpGet: { path: '/', port: 80 }, initialDelaySeconds: 5 } }],
          volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory' } }],
        },
      },
    },
  },
  {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { a: 'b' } },
    spec: { restartPolicy: 'OnFailure', containers: [{ name: 'main', resources: { limits: { cpu: 2, 'nvidia.com/gpu': 1 }, requests: { cpu: '2000m', 'nvidia.com/gpu': 1 } } }] },
  },
  {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }] },
  },
  { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { 'requests.cpu': '10', pods: 100 } } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] }, status: { allocatable: { cpu: '4', memory: '16Gi', pods: '110' } } },
];

function schemaOf(o: Record<string, unknown>): z.ZodType {
  return KINDS[o.kind as string].versions[o.apiVersion as string].schema;
}

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function mutate(value: unknown, path: Path, action: 'delete' | 'set' | 'add', replacement: unknown, key: string): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  if (path.length === 0) return action === 'set' ? replacement : copy;
  let parent: Record<string | number, unknown> = copy;
  for (const part of path.slice(0, -1)) parent = parent[part] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (action === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (action === 'set') {
    parent[last] = replacement;
  } else {
    const target = parent[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>)[key] = replacement;
  }
  return copy;
}

const anyValue = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('100m', '-1', '1Gi', '512MB', '25%', 'Always', 'RollingUpdate', 'rollingUpdate', ''),
  fc.integer({ min: -5, max: 200 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);

test('fastCheck says "valid" exactly when zod accepts the value', () => {
  for (const sample of SAMPLES) {
    const schema = schemaOf(sample);
    const fast = fastCheck(schema);
    assert.ok(fast, `${sample.kind} is fast-checked`);
    assert.equal(fast(sample), true, `${sample.kind} sample is valid`);
    const all = paths(sample);
    fc.assert(
      fc.property(fc.nat(all.length - 1), fc.constantFrom('delete', 'set', 'add') as fc.Arbitrary<'delete' | 'set' | 'add'>, anyValue, fc.constantFrom('name', 'request', 'extra', 'cpu', 'type'), (i, action, replacement, key) => {
        const value = mutate(sample, all[i], action, replacement, key);
        const zodSays = schema.safeParse(value).success;
        assert.equal(fast(value), zodSays, JSON.stringify({ path: all[i], action, replacement, key }));
      }),
      { numRuns: 300, seed: 42 },
    );
  }
});
