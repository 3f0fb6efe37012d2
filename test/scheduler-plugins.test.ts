// kube-scheduler plugins against hand-computed examples. Every expected score is worked out in a
// comment from the upstream formula (reference/k8s-algorithms.md §4.3–§4.4).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CycleState, FilterFailure, FilterPlugin, ScorePlugin, Snapshot } from '../src/scheduler/framework.ts';
import type { PodAffinityTerm, Taint, Toleration } from '../src/model/api.ts';
import { TAINT_UNSCHEDULABLE } from '../src/model/api.ts';
import type { Node } from '../src/model/node.ts';
import type { Pod } from '../src/model/pod.ts';
import { matchesLabelSelector } from '../src/model/labelSelector.ts';
import { matchesNodeSelectorTerms } from '../src/model/nodeSelector.ts';
import { doNotScheduleTaints, findUntoleratedTaint, toleratesTaint } from '../src/model/taints.ts';
import { nodeAffinity } from '../src/scheduler/plugins/nodeAffinity.ts';
import { taintToleration } from '../src/scheduler/plugins/taintToleration.ts';
import {
  PodTopologySpreadPreFilterState,
  PTS_PRE_FILTER_KEY,
  podTopologySpread,
} from '../src/scheduler/plugins/podTopologySpread.ts';
import { interPodAffinity } from '../src/scheduler/plugins/interPodAffinity.ts';
import { bind, makeNode, makePod, makeSnapshot } from './support/cluster.ts';

// --- helpers: run one plugin the way the framework does --------------------------------------

/** PreFilter then Filter on every node: node name -> first reason, or null when it fits. */
function filterAll(plugin: FilterPlugin, pod: Pod, snapshot: Snapshot, state: CycleState = new Map()): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const skip = plugin.preFilter ? !plugin.preFilter(state, pod, snapshot) : false;
  for (const ni of snapshot.nodeInfos) out[ni.node.name] = skip ? null : plugin.filter(state, pod, ni)?.reasons[0] ?? null;
  return out;
}

function failureOn(plugin: FilterPlugin, pod: Pod, snapshot: Snapshot, node: Node): FilterFailure | null {
  const state: CycleState = new Map();
  if (plugin.preFilter && !plugin.preFilter(state, pod, snapshot)) return null;
  return plugin.filter(state, pod, node.info);
}

/** PreScore, Score, NormalizeScore over `feasible`: node name -> normalized score (0 everywhere
 *  when PreScore skips, as the framework adds nothing for a skipped plugin). */
function scoreAll(plugin: ScorePlugin, pod: Pod, feasible: Node[], snapshot: Snapshot): Record<string, number> {
  const state: CycleState = new Map();
  const infos = feasible.map((n) => n.info);
  const skip = plugin.preScore ? !plugin.preScore(state, pod, infos, snapshot) : false;
  const scores = infos.map((ni) => (skip ? 0 : plugin.score(state, pod, ni)));
  if (!skip) plugin.normalize?.(state, pod, scores, infos);
  return Object.fromEntries(feasible.map((n, i) => [n.name, scores[i]]));
}

/** Binds `count` pods with the given labels to `node`. */
function place(node: Node, count: number, labels: Record<string, string>, namespace = 'default'): Pod[] {
  const pods: Pod[] = [];
  for (let i = 0; i < count; i++) pods.push(bind(makePod({ name: `${node.name}-${labels.app ?? 'p'}-${i}`, namespace, labels }), node));
  return pods;
}

const ZONE = 'topology.kubernetes.io/zone';
const HOSTNAME = 'kubernetes.io/hostname';
const web = { app: 'web' };
const term = (labels: Record<string, string>, topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm =>
  ({ labelSelector: { matchLabels: labels }, topologyKey, ...extra });

// --- selectors ----------------------------------------------------------------------------------

describe('selectors', () => {
  it('label selectors: nil matches nothing, {} matches everything (LabelSelectorAsSelector)', () => {
    assert.equal(matchesLabelSelector(null, { app: 'web' }), false);
    assert.equal(matchesLabelSelector(undefined, {}), false);
    assert.equal(matchesLabelSelector({}, { app: 'web' }), true);
    assert.equal(matchesLabelSelector({ matchLabels: { app: 'web' } }, { app: 'web', tier: 'fe' }), true);
    assert.equal(matchesLabelSelector({ matchLabels: { app: 'web' } }, { app: 'db' }), false);
  });

  it('label selector operators In / NotIn / Exists / DoesNotExist, ANDed', () => {
    const labels = { app: 'web', tier: 'fe' };
    const sel = (operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist', key: string, values?: string[]) =>
      matchesLabelSelector({ matchExpressions: [{ key, operator, values }] }, labels);
    assert.equal(sel('In', 'app', ['db', 'web']), true);
    assert.equal(sel('In', 'missing', ['web']), false);
    assert.equal(sel('NotIn', 'app', ['web']), false);
    assert.equal(sel('NotIn', 'missing', ['web']), true); // NotIn matches an absent label
    assert.equal(sel('Exists', 'tier'), true);
    assert.equal(sel('DoesNotExist', 'tier'), false);
    assert.equal(sel('DoesNotExist', 'missing'), true);
    assert.equal(sel('In', 'app', []), false); // invalid requirement: upstream error, matches nothing
    assert.equal(matchesLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['be'] }] }, labels), false);
  });

  it('node selector terms: ORed terms, ANDed expressions, Gt/Lt integers, metadata.name, empty term', () => {
    const node = makeNode({ name: 'n1', labels: { gen: '8', disk: 'ssd' } });
    const expr = (key: string, operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt', values?: string[]) =>
      matchesNodeSelectorTerms([{ matchExpressions: [{ key, operator, values }] }], node);
    assert.equal(expr('disk', 'In', ['ssd']), true);
    assert.equal(expr('disk', 'NotIn', ['ssd']), false);
    assert.equal(expr('gpu', 'Exists'), false);
    assert.equal(expr('gpu', 'DoesNotExist'), true);
    assert.equal(expr('gen', 'Gt', ['4']), true); // 8 > 4
    assert.equal(expr('gen', 'Lt', ['4']), false);
    assert.equal(expr('disk', 'Gt', ['4']), false); // "ssd" is not an integer
    assert.equal(expr('gen', 'Gt', ['four']), false); // unparsable bound: the term never matches
    assert.equal(matchesNodeSelectorTerms([{}], node), false); // empty term selects nothing
    assert.equal(matchesNodeSelectorTerms([], node), false);
    // ORed terms: the first fails, the second matches.
    assert.equal(matchesNodeSelectorTerms([
      { matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] },
      { matchExpressions: [{ key: 'gen', operator: 'Exists' }, { key: 'disk', operator: 'In', values: ['ssd'] }] },
    ], node), true);
    // ANDed within a term: one false requirement fails the term.
    assert.equal(matchesNodeSelectorTerms([
      { matchExpressions: [{ key: 'gen', operator: 'Exists' }, { key: 'disk', operator: 'In', values: ['hdd'] }] },
    ], node), false);
    assert.equal(matchesNodeSelectorTerms([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }], node), true);
    assert.equal(matchesNodeSelectorTerms([{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] }], node), false);
  });

  it('taint toleration table (v1 Toleration.ToleratesTaint)', () => {
    const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    const table: Array<[Toleration, Taint, boolean, string]> = [
      [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, taint, true, 'exact match'],
      [{ key: 'dedicated', operator: 'Equal', value: 'cpu', effect: 'NoSchedule' }, taint, false, 'value differs'],
      [{ key: 'dedicated', value: 'gpu' }, taint, true, 'operator defaults to Equal, empty effect = all effects'],
      [{ key: 'dedicated', operator: 'Exists' }, { ...taint, effect: 'NoExecute' }, true, 'Exists ignores the value'],
      [{ operator: 'Exists' }, { key: 'anything', effect: 'NoExecute' }, true, 'empty key + Exists tolerates everything'],
      [{ key: 'dedicated', operator: 'Exists', effect: 'PreferNoSchedule' }, taint, false, 'effect differs'],
      [{ key: 'other', operator: 'Exists' }, taint, false, 'key differs'],
      [{ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' }, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' }, true, 'empty value equals absent value'],
    ];
    for (const [toleration, t, expected, why] of table) assert.equal(toleratesTaint([toleration], t), expected, why);

    // FindMatchingUntoleratedTaint: first untolerated taint in node order, PreferNoSchedule filtered out.
    const taints: Taint[] = [
      { key: 'soft', effect: 'PreferNoSchedule' },
      { key: 'a', value: '1', effect: 'NoSchedule' },
      { key: 'b', value: '2', effect: 'NoExecute' },
    ];
    assert.deepEqual(findUntoleratedTaint(taints, [], doNotScheduleTaints), taints[1]);
    assert.deepEqual(findUntoleratedTaint(taints, [{ key: 'a', operator: 'Exists' }], doNotScheduleTaints), taints[2]);
    assert.equal(findUntoleratedTaint(taints, [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }], doNotScheduleTaints), null);
  });
});

// --- NodeAffinity -------------------------------------------------------------------------------

describe('NodeAffinity', () => {
  it('filters on nodeSelector AND required affinity; skips pods without either', () => {
    const nodes = [
      makeNode({ name: 'ssd-a', zone: 'a', labels: { disk: 'ssd' } }),
      makeNode({ name: 'hdd-a', zone: 'a', labels: { disk: 'hdd' } }),
      makeNode({ name: 'ssd-c', zone: 'c', labels: { disk: 'ssd' } }),
    ];
    const snapshot = makeSnapshot(nodes);
    const pod = makePod({
      name: 'p',
      nodeSelector: { disk: 'ssd' },
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE, operator: 'In', values: ['a', 'b'] }] }] } } },
    });
    const reason = "node(s) didn't match Pod's node affinity/selector";
    assert.deepEqual(filterAll(nodeAffinity, pod, snapshot), { 'ssd-a': null, 'hdd-a': reason, 'ssd-c': reason });
    assert.equal(failureOn(nodeAffinity, pod, snapshot, nodes[1])?.unresolvable, true);
    assert.equal(nodeAffinity.preFilter(new Map(), makePod({ name: 'free' })), false);
  });

  it('scores Σ matching preferred weights, normalized 100*raw/max with int64 division', () => {
    const nodes = [
      makeNode({ name: 'a-ssd', zone: 'a', labels: { disk: 'ssd' } }),
      makeNode({ name: 'a-hdd', zone: 'a', labels: { disk: 'hdd' } }),
      makeNode({ name: 'c-ssd', zone: 'c', labels: { disk: 'ssd' } }),
      makeNode({ name: 'c-hdd', zone: 'c', labels: { disk: 'hdd' } }),
    ];
    const pod = makePod({
      name: 'p',
      affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 30, preference: { matchExpressions: [{ key: ZONE, operator: 'In', values: ['a'] }] } },
        { weight: 40, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
      ] } },
    });
    // raw: a-ssd 30+40=70, a-hdd 30, c-ssd 40, c-hdd 0; max 70.
    // a-ssd 100*70/70=100; a-hdd 100*30/70=42 (42.86 truncated); c-ssd 100*40/70=57; c-hdd 0.
    assert.deepEqual(scoreAll(nodeAffinity, pod, nodes, makeSnapshot(nodes)), { 'a-ssd': 100, 'a-hdd': 42, 'c-ssd': 57, 'c-hdd': 0 });
    // No preferred terms: PreScore skips.
    assert.equal(nodeAffinity.preScore(new Map(), makePod({ name: 'q' })), false);
  });
});

// --- TaintToleration ----------------------------------------------------------------------------

describe('TaintToleration', () => {
  it('rejects the first untolerated NoSchedule/NoExecute taint with the upstream reason', () => {
    const nodes = [
      makeNode({ name: 'gpu', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      makeNode({ name: 'cordoned', taints: [{ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' }] }),
      makeNode({ name: 'soft', taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }] }),
    ];
    const snapshot = makeSnapshot(nodes);
    assert.deepEqual(filterAll(taintToleration, makePod({ name: 'p' }), snapshot), {
      gpu: 'node(s) had untolerated taint {dedicated: gpu}',
      cordoned: 'node(s) had untolerated taint {node.kubernetes.io/unschedulable: }',
      soft: null,
    });
    assert.equal(failureOn(taintToleration, makePod({ name: 'p' }), snapshot, nodes[0])?.unresolvable, true);
    const tolerant = makePod({ name: 't', tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] });
    assert.equal(filterAll(taintToleration, tolerant, snapshot).gpu, null);
  });

  it('scores untolerated PreferNoSchedule taints, normalized in reverse 100 − 100*raw/max', () => {
    const soft = (n: number): Taint[] => Array.from({ length: n }, (_, i) => ({ key: `soft-${i}`, effect: 'PreferNoSchedule' }));
    const nodes = [makeNode({ name: 'zero', taints: soft(0) }), makeNode({ name: 'one', taints: soft(1) }), makeNode({ name: 'two', taints: soft(2) })];
    const snapshot = makeSnapshot(nodes);
    // raw 0, 1, 2; max 2: 100 − 0 = 100, 100 − 100*1/2 = 50, 100 − 100 = 0.
    assert.deepEqual(scoreAll(taintToleration, makePod({ name: 'p' }), nodes, snapshot), { zero: 100, one: 50, two: 0 });
    // Tolerating soft-0 with effect PreferNoSchedule: raw 0, 0, 1 -> 100, 100, 0.
    const tolerates = makePod({ name: 'q', tolerations: [{ key: 'soft-0', operator: 'Exists', effect: 'PreferNoSchedule' }] });
    assert.deepEqual(scoreAll(taintToleration, tolerates, nodes, snapshot), { zero: 100, one: 100, two: 0 });
    // A NoSchedule-only toleration does not count for scoring: raw stays 0, 1, 2.
    const wrongEffect = makePod({ name: 'r', tolerations: [{ key: 'soft-0', operator: 'Exists', effect: 'NoSchedule' }] });
    assert.deepEqual(scoreAll(taintToleration, wrongEffect, nodes, snapshot), { zero: 100, one: 50, two: 0 });
    // raw 0, 1, 3: 100 − 100*1/3 = 100 − 33 = 67.
    const three = [nodes[0], nodes[1], makeNode({ name: 'three', taints: soft(3) })];
    assert.deepEqual(scoreAll(taintToleration, makePod({ name: 's' }), three, makeSnapshot(three)), { zero: 100, one: 67, three: 0 });
    // No PreferNoSchedule taints anywhere: max 0 -> all 100.
    const clean = [makeNode({ name: 'x' }), makeNode({ name: 'y' })];
    assert.deepEqual(scoreAll(taintToleration, makePod({ name: 't' }), clean, makeSnapshot(clean)), { x: 100, y: 100 });
  });
});

// --- PodTopologySpread --------------------------------------------------------------------------

describe('PodTopologySpread filter', () => {
  const zoneSpread = (maxSkew: number, extra: object = {}) => [{ maxSkew, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchLabels: web }, ...extra }];

  function threeZones() {
    const a1 = makeNode({ name: 'a1', zone: 'a' });
    const a2 = makeNode({ name: 'a2', zone: 'a' });
    const b1 = makeNode({ name: 'b1', zone: 'b' });
    const c1 = makeNode({ name: 'c1', zone: 'c' });
    place(a1, 2, web);
    place(a2, 1, web);
    place(b1, 1, web);
    place(c1, 1, web, 'other'); // other namespace: not counted
    place(c1, 1, { app: 'db' }); // other labels: not counted
    place(c1, 1, web)[0].deletionMs = 5; // terminating: not counted
    return [a1, a2, b1, c1];
  }

  it('skew = count in domain + self − global min ≤ maxSkew across 3 zones', () => {
    const nodes = threeZones();
    const snapshot = makeSnapshot(nodes);
    // counts: a = 3, b = 1, c = 0 -> global min 0.
    // maxSkew 1: a 3+1−0 = 4 > 1, b 1+1−0 = 2 > 1, c 0+1−0 = 1 ok.
    const reason = "node(s) didn't match pod topology spread constraints";
    const pod = makePod({ name: 'p', labels: web, topologySpreadConstraints: zoneSpread(1) });
    assert.deepEqual(filterAll(podTopologySpread, pod, snapshot), { a1: reason, a2: reason, b1: reason, c1: null });
    assert.equal(failureOn(podTopologySpread, pod, snapshot, nodes[0])?.unresolvable, false);
    // maxSkew 2: b 2 ≤ 2 passes, a 4 still fails.
    const pod2 = makePod({ name: 'p2', labels: web, topologySpreadConstraints: zoneSpread(2) });
    assert.deepEqual(filterAll(podTopologySpread, pod2, snapshot), { a1: reason, a2: reason, b1: null, c1: null });
    // A pod not matching its own selector adds no self count: b 1+0−0 = 1 ≤ 1.
    const other = makePod({ name: 'o', labels: { app: 'api' }, topologySpreadConstraints: zoneSpread(1) });
    assert.equal(filterAll(podTopologySpread, other, snapshot).b1, null);
  });

  it('a node without the topology key is unresolvable', () => {
    const nodes = [...threeZones(), makeNode({ name: 'nozone' })];
    const pod = makePod({ name: 'p', labels: web, topologySpreadConstraints: zoneSpread(1) });
    const failure = failureOn(podTopologySpread, pod, makeSnapshot(nodes), nodes[4]);
    assert.deepEqual(failure?.reasons, ["node(s) didn't match pod topology spread constraints (missing required label)"]);
    assert.equal(failure?.unresolvable, true);
  });

  it('minDomains: fewer eligible domains than minDomains makes the global minimum 0', () => {
    const a = makeNode({ name: 'a', zone: 'a' });
    const b = makeNode({ name: 'b', zone: 'b' });
    place(a, 1, web);
    place(b, 1, web);
    const snapshot = makeSnapshot([a, b]);
    // Without minDomains: min 1, skew 1+1−1 = 1 ≤ 1 on both.
    const plain = makePod({ name: 'p', labels: web, topologySpreadConstraints: zoneSpread(1) });
    assert.deepEqual(filterAll(podTopologySpread, plain, snapshot), { a: null, b: null });
    // minDomains 3 with 2 domains: min 0, skew 1+1−0 = 2 > 1 on both.
    const reason = "node(s) didn't match pod topology spread constraints";
    const min3 = makePod({ name: 'q', labels: web, topologySpreadConstraints: zoneSpread(1, { minDomains: 3 }) });
    assert.deepEqual(filterAll(podTopologySpread, min3, snapshot), { a: reason, b: reason });
  });

  it('nodeAffinityPolicy Honor leaves domains the pod cannot use out of the minimum', () => {
    const a = makeNode({ name: 'a', zone: 'a', labels: { pool: 'x' } });
    const b = makeNode({ name: 'b', zone: 'b', labels: { pool: 'x' } });
    const c = makeNode({ name: 'c', zone: 'c' });
    place(a, 1, web);
    place(b, 1, web);
    const snapshot = makeSnapshot([a, b, c]);
    // Honor (default): zone c fails the nodeSelector, domains {a:1, b:1}, min 1: skew on a = 1.
    const honor = makePod({ name: 'h', labels: web, nodeSelector: { pool: 'x' }, topologySpreadConstraints: zoneSpread(1) });
    assert.equal(filterAll(podTopologySpread, honor, snapshot).a, null);
    // Ignore: zone c counts with 0, min 0: skew on a = 2 > 1.
    const ignore = makePod({ name: 'i', labels: web, nodeSelector: { pool: 'x' }, topologySpreadConstraints: zoneSpread(1, { nodeAffinityPolicy: 'Ignore' }) });
    assert.equal(filterAll(podTopologySpread, ignore, snapshot).a, "node(s) didn't match pod topology spread constraints");
  });

  it('removePod/addPod keep the counts in step for preemption', () => {
    const a = makeNode({ name: 'a', zone: 'a' });
    const b = makeNode({ name: 'b', zone: 'b' });
    const victims = place(a, 2, web);
    const snapshot = makeSnapshot([a, b]);
    const pod = makePod({ name: 'p', labels: web, topologySpreadConstraints: zoneSpread(1) });
    const state: CycleState = new Map();
    assert.equal(podTopologySpread.preFilter(state, pod, snapshot), true);
    // a = 2, b = 0: skew on a = 3.
    assert.notEqual(podTopologySpread.filter(state, pod, a.info), null);
    const copy = new Map([[PTS_PRE_FILTER_KEY, (state.get(PTS_PRE_FILTER_KEY) as PodTopologySpreadPreFilterState).clone()]]);
    podTopologySpread.removePod(copy, pod, victims[0], a.info);
    podTopologySpread.removePod(copy, pod, victims[1], a.info);
    // a = 0, b = 0: skew on a = 0+1−0 = 1.
    assert.equal(podTopologySpread.filter(copy, pod, a.info), null);
    podTopologySpread.addPod(copy, pod, victims[0], a.info);
    // a = 1: skew 2 > 1 again.
    assert.notEqual(podTopologySpread.filter(copy, pod, a.info), null);
    // The original state was not touched by the clone's updates.
    assert.equal((state.get(PTS_PRE_FILTER_KEY) as PodTopologySpreadPreFilterState).matchNum[0].get('a'), 2);
  });
});

describe('PodTopologySpread score', () => {
  it('zone constraint: round(cnt·ln(domains+2) + maxSkew−1), normalized 100·(max+min−raw)/max', () => {
    const a = makeNode({ name: 'a', zone: 'a' });
    const b = makeNode({ name: 'b', zone: 'b' });
    const c = makeNode({ name: 'c', zone: 'c' });
    const nozone = makeNode({ name: 'nozone' });
    place(a, 2, web);
    place(b, 1, web);
    const nodes = [a, b, c, nozone];
    const snapshot = makeSnapshot(nodes);
    const spread = (maxSkew: number) => makePod({ name: `p${maxSkew}`, labels: web, topologySpreadConstraints: [{ maxSkew, topologyKey: ZONE, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: web } }] });
    // 3 zones among the feasible nodes -> weight ln(5) = 1.609; nozone lacks the key: ignored, 0.
    // maxSkew 1: a round(2·1.609) = 3, b round(1.609) = 2, c 0; max 3, min 0:
    //   a 100·(3−3)/3 = 0, b 100·(3−2)/3 = 33, c 100·3/3 = 100.
    assert.deepEqual(scoreAll(podTopologySpread, spread(1), nodes, snapshot), { a: 0, b: 33, c: 100, nozone: 0 });
    // maxSkew 2 adds 1: a round(4.219) = 4, b round(2.609) = 3, c 1; max 4, min 1:
    //   a 100·(5−4)/4 = 25, b 100·(5−3)/4 = 50, c 100·(5−1)/4 = 100.
    assert.deepEqual(scoreAll(podTopologySpread, spread(2), nodes, snapshot), { a: 25, b: 50, c: 100, nozone: 0 });
  });

  it('hostname constraint: domains = number of feasible nodes', () => {
    const nodes = [makeNode({ name: 'n1' }), makeNode({ name: 'n2' }), makeNode({ name: 'n3' }), makeNode({ name: 'n4' })];
    place(nodes[0], 2, web);
    place(nodes[1], 1, web);
    const pod = makePod({ name: 'p', labels: web, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: web } }] });
    // weight ln(4+2) = 1.792: n1 round(3.584) = 4, n2 round(1.792) = 2, n3 = n4 = 0; max 4, min 0:
    //   n1 0, n2 100·2/4 = 50, n3 = n4 = 100.
    assert.deepEqual(scoreAll(podTopologySpread, pod, nodes, makeSnapshot(nodes)), { n1: 0, n2: 50, n3: 100, n4: 100 });
  });

  it('system default constraints apply to controller pods without constraints', () => {
    const n1 = makeNode({ name: 'n1', zone: 'a' });
    const n2 = makeNode({ name: 'n2', zone: 'a' });
    const n3 = makeNode({ name: 'n3', zone: 'b' });
    const n4 = makeNode({ name: 'n4' }); // no zone: still scored, hostname spreading only
    place(n1, 1, web);
    const nodes = [n1, n2, n3, n4];
    const snapshot = makeSnapshot(nodes);
    const owned = makePod({ name: 'p', labels: web, owner: { kind: 'ReplicaSet', name: 'web-1' } });
    // hostname maxSkew 3, weight ln(4+2) = 1.792; zone maxSkew 5, zone domains {a, b, ""} -> ln(5) = 1.609.
    // n1: (1·1.792 + 2) + (1·1.609 + 4) = 9.401 -> 9
    // n2: (0 + 2) + (1·1.609 + 4) = 7.609 -> 8
    // n3: (0 + 2) + (0 + 4) = 6
    // n4: (0 + 2) + no zone label = 2
    // max 9, min 2: n1 100·(11−9)/9 = 22, n2 100·3/9 = 33, n3 100·5/9 = 55, n4 100·9/9 = 100.
    assert.deepEqual(scoreAll(podTopologySpread, owned, nodes, snapshot), { n1: 22, n2: 33, n3: 55, n4: 100 });
    // Defaults are ScheduleAnyway only: nothing to filter.
    assert.equal(podTopologySpread.preFilter(new Map(), owned, snapshot), false);
    // A bare pod has no controller selector: no defaults, PreScore skips.
    assert.equal(podTopologySpread.preScore(new Map(), makePod({ name: 'bare', labels: web }), nodes.map((n) => n.info), snapshot), false);
  });
});

// --- InterPodAffinity ---------------------------------------------------------------------------

describe('InterPodAffinity filter', () => {
  const ANTI = "node(s) didn't match pod anti-affinity rules";
  const EXISTING = "node(s) didn't satisfy existing pods anti-affinity rules";
  const AFFINITY = "node(s) didn't match pod affinity rules";

  it('required anti-affinity on hostname and on zone', () => {
    const a1 = makeNode({ name: 'a1', zone: 'a' });
    const a2 = makeNode({ name: 'a2', zone: 'a' });
    const b1 = makeNode({ name: 'b1', zone: 'b' });
    place(a1, 1, web);
    const snapshot = makeSnapshot([a1, a2, b1]);
    const byHost = makePod({ name: 'h', labels: web, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web, HOSTNAME)] } } });
    assert.deepEqual(filterAll(interPodAffinity, byHost, snapshot), { a1: ANTI, a2: null, b1: null });
    assert.equal(failureOn(interPodAffinity, byHost, snapshot, a1)?.unresolvable, false);
    const byZone = makePod({ name: 'z', labels: web, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web, ZONE)] } } });
    assert.deepEqual(filterAll(interPodAffinity, byZone, snapshot), { a1: ANTI, a2: ANTI, b1: null });
  });

  it("existing pods' required anti-affinity rejects the incoming pod in their domain", () => {
    const a1 = makeNode({ name: 'a1', zone: 'a' });
    const a2 = makeNode({ name: 'a2', zone: 'a' });
    const b1 = makeNode({ name: 'b1', zone: 'b' });
    const guard = bind(makePod({ name: 'guard', labels: { app: 'guard' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web, ZONE)] } } }), a1);
    const snapshot = makeSnapshot([a1, a2, b1]);
    assert.deepEqual(filterAll(interPodAffinity, makePod({ name: 'w', labels: web }), snapshot), { a1: EXISTING, a2: EXISTING, b1: null });
    // A pod the guard's term does not select has nothing to check.
    assert.equal(interPodAffinity.preFilter(new Map(), makePod({ name: 'd', labels: { app: 'db' } }), snapshot), false);
    // Preemption removing the guard frees zone a.
    const state: CycleState = new Map();
    const incoming = makePod({ name: 'w2', labels: web });
    interPodAffinity.preFilter(state, incoming, snapshot);
    interPodAffinity.removePod(state, incoming, guard, a1.info);
    assert.equal(interPodAffinity.filter(state, incoming, a2.info), null);
  });

  it('namespaces: default own namespace, namespaceSelector over namespace labels', () => {
    const n1 = makeNode({ name: 'n1' });
    place(n1, 1, web, 'team-x');
    const snapshot = makeSnapshot([n1], { namespaceLabels: { 'team-x': { team: 'x' } } });
    const own = makePod({ name: 'o', labels: web, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web, HOSTNAME)] } } });
    assert.equal(filterAll(interPodAffinity, own, snapshot).n1, null); // web pod is in team-x, not default
    const selected = makePod({ name: 's', labels: web, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web, HOSTNAME, { namespaceSelector: { matchLabels: { team: 'x' } } })] } } });
    assert.equal(filterAll(interPodAffinity, selected, snapshot).n1, ANTI);
    const listed = makePod({ name: 'l', labels: web, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web, HOSTNAME, { namespaces: ['team-x'] })] } } });
    assert.equal(filterAll(interPodAffinity, listed, snapshot).n1, ANTI);
  });

  it('required affinity with the first-pod exception', () => {
    const a1 = makeNode({ name: 'a1', zone: 'a' });
    const b1 = makeNode({ name: 'b1', zone: 'b' });
    const nozone = makeNode({ name: 'nozone' });
    const snapshot = makeSnapshot([a1, b1, nozone]);
    const cache = { app: 'cache' };
    const affine = (name: string, labels: Record<string, string>) =>
      makePod({ name, labels, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(cache, ZONE)] } } });
    // No cache pod anywhere and the pod matches its own term: allowed where the zone key exists.
    assert.deepEqual(filterAll(interPodAffinity, affine('first', cache), snapshot), { a1: null, b1: null, nozone: AFFINITY });
    // A pod that does not match its own term gets no exception.
    assert.deepEqual(filterAll(interPodAffinity, affine('stranger', { app: 'api' }), snapshot), { a1: AFFINITY, b1: AFFINITY, nozone: AFFINITY });
    // Once a cache pod runs in zone b, only zone b qualifies; the failure is unresolvable.
    place(b1, 1, cache);
    assert.deepEqual(filterAll(interPodAffinity, affine('second', cache), snapshot), { a1: AFFINITY, b1: null, nozone: AFFINITY });
    assert.equal(failureOn(interPodAffinity, affine('third', cache), snapshot, a1)?.unresolvable, true);
  });
});

describe('InterPodAffinity score', () => {
  it('preferred affinity (+weight) and anti-affinity (−weight), normalized min-max', () => {
    const a1 = makeNode({ name: 'a1', zone: 'a' });
    const a2 = makeNode({ name: 'a2', zone: 'a' });
    const b1 = makeNode({ name: 'b1', zone: 'b' });
    const c1 = makeNode({ name: 'c1', zone: 'c' });
    place(a1, 1, { app: 'db' });
    place(a2, 1, web);
    place(b1, 1, web);
    const nodes = [a1, a2, b1, c1];
    const pod = makePod({
      name: 'p',
      labels: web,
      affinity: {
        podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 80, podAffinityTerm: term({ app: 'db' }, ZONE) }] },
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 20, podAffinityTerm: term(web, HOSTNAME) }] },
      },
    });
    // zone a +80 (db pod on a1); host a2 −20 and host b1 −20 (web pods).
    // raw: a1 80, a2 80−20 = 60, b1 −20, c1 0; min −20, max 80, span 100:
    //   a1 100·100/100 = 100, a2 100·80/100 = 80, b1 0, c1 100·20/100 = 20.
    assert.deepEqual(scoreAll(interPodAffinity, pod, nodes, makeSnapshot(nodes)), { a1: 100, a2: 80, b1: 0, c1: 20 });
  });

  it("existing pods' required affinity (hardPodAffinityWeight 1) and preferred anti-affinity", () => {
    const a1 = makeNode({ name: 'a1', zone: 'a' });
    const b1 = makeNode({ name: 'b1', zone: 'b' });
    const b2 = makeNode({ name: 'b2', zone: 'b' });
    bind(makePod({ name: 'follower', labels: { app: 'sidecar' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web, ZONE)] } } }), b1);
    bind(makePod({ name: 'loner', labels: { app: 'batch' }, affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term(web, HOSTNAME) }] } } }), b2);
    const nodes = [a1, b1, b2];
    const snapshot = makeSnapshot(nodes);
    // Incoming web pod with no terms of its own:
    // zone b +1 (follower's required affinity), host b2 −50 (loner's preferred anti-affinity).
    // raw: a1 0, b1 1, b2 1−50 = −49; min −49, max 1, span 50:
    //   a1 100·49/50 = 98, b1 100, b2 0.
    assert.deepEqual(scoreAll(interPodAffinity, makePod({ name: 'w', labels: web }), nodes, snapshot), { a1: 98, b1: 100, b2: 0 });
    // A pod no term matches: PreScore finds nothing and skips.
    assert.equal(interPodAffinity.preScore(new Map(), makePod({ name: 'x', labels: { app: 'x' } }), nodes.map((n) => n.info), snapshot), false);
  });

  it('min-max truncates: raw 0, 1, 2, 3 -> 0, 33, 66, 100', () => {
    const nodes = [0, 1, 2, 3].map((i) => makeNode({ name: `n${i}` }));
    nodes.forEach((n, i) => place(n, i, { app: 'db' }));
    const pod = makePod({ name: 'p', affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: term({ app: 'db' }, HOSTNAME) }] } } });
    // raw = number of db pods on the host; 100·(1/3) = 33.3 -> 33, 100·(2/3) = 66.7 -> 66.
    assert.deepEqual(scoreAll(interPodAffinity, pod, nodes, makeSnapshot(nodes)), { n0: 0, n1: 33, n2: 66, n3: 100 });
  });
});
