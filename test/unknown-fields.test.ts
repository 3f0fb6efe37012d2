// An unknown field's hint lists the valid fields at that place (all of them when few, else the
// closest few and the section of docs/scenario.md that has them), wherever the loader finds one:
// the scenario's sections, the shorthand, manifests, events, behavior, pricing, carbon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadProblems, writeScenario } from './support/run.ts';
import { DOC_ANCHORS, unknownFieldHint } from '../src/scenario/problems.ts';

const DOCS = fs.readFileSync(path.resolve(import.meta.dirname, '../docs/scenario.md'), 'utf8');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-');

test('every section an unknown field\'s hint points at is a heading of docs/scenario.md', () => {
  const anchors = new Set([...DOCS.matchAll(/^#+ (.*)$/gm)].map((m) => slug(m[1])));
  assert.ok(anchors.has('specclusternodepools') && anchors.has('specworkloads-the-shorthand'), 'the slugs are GitHub\'s');
  assert.deepEqual(DOC_ANCHORS.filter((a) => !anchors.has(a)), []);
});

test('few fields are all listed; many give the closest five and the section', () => {
  assert.equal(unknownFieldHint('zz', ['name', 'target'], 'x'), 'fields here: name, target');
  assert.equal(unknownFieldHint('targt', ['name', 'target'], 'x'), 'did you mean "target"? fields here: name, target');
  // A node pool's 19 fields: more than 12.
  const pool = ['name', 'instanceType', 'capacity', 'price', 'capacityType', 'spot', 'kubeReserved', 'systemReserved', 'evictionHard',
    'evictionPressureTransitionPeriod', 'cgroupVersion', 'labels', 'annotations', 'taints', 'zones', 'count', 'min', 'max', 'provisioningDelay'];
  // "zonez" is one edit from "zones": the suggestion, and where all 19 are.
  assert.equal(unknownFieldHint('zonez', pool, 'see S'), 'did you mean "zones"? (19 fields here: see S)');
  // GKE's "machineType" is close to none: the five closest by edit distance (then by name).
  assert.equal(unknownFieldHint('machineType', pool, 'see S'), 'closest fields here: capacityType, instanceType, taints, capacity, count, ... (19 in all: see S)');
});

const SCENARIO = `apiVersion: capsim/v1
kind: Scenario
metadata: {name: unknown-fields}
spec:
  duration: 1d
  cluster:
    nodePools:
      - {name: general, instanceType: aws/m5.xlarge, count: 2, zonez: [a]}
    autoscaler: {scanIntervall: 10s}
  pricing:
    discounts: [{name: sp, kind: commitment, percent: 20, pool: [general]}]
  carbon: {gridIntensityGPerKw: 400}
  manifests:
    - apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: {name: web}
      spec: {selector: {matchLabels: {app: web}}, maxAvailable: 1}
  workloads:
    - name: web
      replicas: 2
      containers: [{name: app, resources: {requests: {cpu: 250m, memory: 512Mi}}}]
      hpa: {maxReplicas: 4, metrics: [{resource: cpu, averageUtilisation: 60}]}
  behavior:
    - target: Deployment/default/web
      usage: {app: {cpu: {bse: 10m}}}
  events:
    - {at: 1h, drain: {pool: general, count: 1}, after: 2h}
`;

test('one scenario with an unknown field in each place: each hint lists the fields there', async () => {
  const problems = await loadProblems(writeScenario(SCENARIO));
  const hints = Object.fromEntries(problems.filter((p) => p.message.startsWith('unknown field')).map((p) => [p.path, p.hint]));
  assert.deepEqual(hints, {
    // 19 pool fields: the suggestion and where they are all described.
    'spec.cluster.nodePools[0].zonez': 'did you mean "zones"? (19 fields here: see docs/scenario.md#specclusternodepools)',
    'spec.cluster.autoscaler.scanIntervall': 'did you mean "scanInterval"? (34 fields here: see docs/scenario.md#specclusterautoscaler)',
    'spec.pricing.discounts[0].pool': 'did you mean "pools"? fields here: name, kind, percent, pools, instanceFamilies, instanceTypes, capacityTypes',
    'spec.carbon.gridIntensityGPerKw': 'did you mean "gridIntensityGPerKwh"? fields here: region, gridIntensityGPerKwh, pue, wattsPerVcpu, memoryKwhPerGbHour, serverLifespanHours, embodiedKgCo2ePerHost',
    'spec.manifests[0].spec.maxAvailable': 'did you mean "maxUnavailable" or "minAvailable"? fields here: minAvailable, selector, maxUnavailable, unhealthyPodEvictionPolicy',
    'spec.workloads[0].hpa.metrics[0].averageUtilisation': 'did you mean "averageUtilization"? fields here: resource, container, averageUtilization, averageValue, value, pods, external',
    'spec.behavior[0].usage.app.cpu.bse': 'did you mean "base"? fields here: base, perUnit',
    'spec.events[0].after': 'fields here: at, drain, cordon, uncordon, nodeFailure, zoneOutage, spotInterruption, capacityUnavailable, rollout, scale, nodePoolUpdate, nodeClassUpdate',
  });
});
