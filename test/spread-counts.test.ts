// PodTopologySpread's matching-pod counts kept between scheduling cycles (src/scheduler/
// spreadCounts.ts) against counting afresh: on random clusters, pods, spreading constraints,
// deletions, completions and preemptions, every kept count equals a fresh count, and the
// scheduler binds every pod to the same node either way.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Simulation } from '../src/engine/simulation.ts';
import { RandomStreams } from '../src/engine/random.ts';
import { ApiServer } from '../src/api/apiServer.ts';
import { Kubelet, manifestTiming } from '../src/kubelet/kubelet.ts';
import { Scheduler } from '../src/scheduler/scheduler.ts';
import { defaultProfile } from '../src/scheduler/profile.ts';
import { SpreadCounts, countOnNode } from '../src/scheduler/spreadCounts.ts';
import { LABEL_HOSTNAME, LABEL_ZONE } from '../src/model/api.ts';
import type { LabelSelector, TopologySpreadConstraint } from '../src/model/api.ts';
import type { Pod, PodSpec } from '../src/model/pod.ts';
import { toResourceList } from '../src/model/resources.ts';
import { Phase } from '../src/phases.ts';
import { compileLabelSelector } from '../src/model/labelSelector.ts';
import { bind, makeNode, makePod } from './support/cluster.ts';

const Gi = 1024 ** 3;

before(() => {
  SpreadCounts.verify = true; // every kept count is checked against a fresh count when read
});
after(() => {
  SpreadCounts.verify = false;
});

test('a kept count is recounted after the node changes, and a clone is always counted afresh', () => {
  // n1 holds two web pods of hash h1 in ns "shop" and one of another namespace.
  const n1 = makeNode({ name: 'n1', zone: 'a' });
  const web = { app: 'web', 'pod-template-hash': 'h1' };
  const p1 = bind(makePod({ name: 'w1', namespace: 'shop', labels: web }), n1);
  bind(makePod({ name: 'w2', namespace: 'shop', labels: web }), n1);
  bind(makePod({ name: 'w3', namespace: 'other', labels: web }), n1);
  const counts = new SpreadCounts(() => 1);
  const entry = counts.entry({ key: 'k', namespace: 'shop', selector: compileLabelSelector({ matchLabels: web }), hashKey: 'shop/h1' });
  assert.equal(entry.count(n1.info), 2); // w3 is in another namespace
  const clone = n1.info.clone();
  clone.removePod(p1);
  assert.equal(entry.count(clone), 1); // a clone is not the node's own NodeInfo: counted afresh
  p1.deletionMs = 5; // terminating pods are not counted (podTerminating)
  counts.podChanged(p1);
  assert.equal(entry.count(n1.info), 1);
});

interface PodPlan {
  ns: number;
  app: number;
  hash: number;
  owned: boolean;
  constraints: { key: 0 | 1; skew: number; hard: boolean; selector: 0 | 1 | 2; matchLabelKeys: boolean }[];
  zoneSelector: number;
  cpu: number;
  prio: number;
  atS: number;
  endS: number;
  end: 'none' | 'delete' | 'finish';
}

const podPlan: fc.Arbitrary<PodPlan> = fc.record({
  ns: fc.integer({ min: 0, max: 1 }),
  app: fc.integer({ min: 0, max: 2 }),
  hash: fc.integer({ min: 0, max: 2 }),
  owned: fc.boolean(),
  constraints: fc.array(
    fc.record({
      key: fc.constantFrom(0 as const, 1 as const),
      skew: fc.integer({ min: 1, max: 3 }),
      hard: fc.boolean(),
      selector: fc.constantFrom(0 as const, 1 as const, 2 as const),
      matchLabelKeys: fc.boolean(),
    }),
    { maxLength: 2 },
  ),
  zoneSelector: fc.integer({ min: 0, max: 3 }),
  cpu: fc.integer({ min: 100, max: 2500 }),
  prio: fc.integer({ min: 0, max: 2 }),
  atS: fc.integer({ min: 0, max: 120 }),
  endS: fc.integer({ min: 1, max: 120 }),
  end: fc.constantFrom('none' as const, 'delete' as const, 'finish' as const),
});

/** A node in a zone (or without a zone label) that joins at the start or a while later. */
interface NodePlan {
  zone: string | null;
  joinS: number;
}

const nodePlan: fc.Arbitrary<NodePlan> = fc.record({
  zone: fc.constantFrom('a', 'b', 'c', null),
  joinS: fc.constantFrom(0, 0, 30, 90),
});

/** Selector 0: the app label; 1: app and hash; 2: nil (matches nothing). */
function selectorOf(which: 0 | 1 | 2, labels: Record<string, string>): LabelSelector | undefined {
  if (which === 2) return undefined;
  if (which === 0) return { matchLabels: { app: labels.app } };
  return { matchLabels: { app: labels.app, 'pod-template-hash': labels['pod-template-hash'] } };
}

/** Runs the plan and returns "pod -> node" for every bind, in order. */
function run(nodes: readonly NodePlan[], pods: readonly PodPlan[], seed: number, keep: boolean): string[] {
  const sim = new Simulation();
  const cluster = new ApiServer(sim, new RandomStreams(seed));
  new Kubelet(cluster, manifestTiming);
  new Scheduler(cluster, {
    profile: defaultProfile(),
    budgets: { splitByBudget: (victims) => ({ violating: [], nonViolating: victims.slice() }) },
    // A ReplicaSet's selector: the app label and the pod-template-hash (which makes it hashed).
    ownerSelector: (pod) => (pod.owner ? { matchLabels: { app: pod.labels.app, 'pod-template-hash': pod.labels['pod-template-hash'] } } : null),
    keepSpreadCounts: keep,
  });
  const binds: string[] = [];
  cluster.onEvent((e) => {
    if (e.type === 'Scheduled') binds.push(`${e.object} -> ${e.node}`);
  });
  nodes.forEach(({ zone, joinS }, i) => {
    sim.schedule(joinS * 1000, Phase.Node, () => addNode(zone, i));
  });
  const addNode = (zone: string | null, i: number) => {
    const labels: Record<string, string> = { [LABEL_HOSTNAME]: `n${i}` };
    if (zone !== null) labels[LABEL_ZONE] = zone;
    const node = cluster.addNode({
      name: `n${i}`,
      labels,
      taints: [],
      capacity: toResourceList({ cpu: 4000, memory: 16 * Gi }),
      allocatable: toResourceList({ cpu: 4000, memory: 16 * Gi }),
      allocatablePods: 110,
      pool: null,
      zone,
      instanceType: null,
      capacityType: 'on-demand',
      priceUsdPerHour: 0,
    });
    cluster.markNodeReady(node);
  };
  pods.forEach((p, i) => {
    sim.schedule(p.atS * 1000, Phase.Controller, () => {
      const labels = { app: `app${p.app}`, 'pod-template-hash': `h${p.hash}` };
      const constraints: TopologySpreadConstraint[] = p.constraints.map((c) => ({
        maxSkew: c.skew,
        topologyKey: c.key === 0 ? LABEL_ZONE : LABEL_HOSTNAME,
        whenUnsatisfiable: c.hard ? 'DoNotSchedule' : 'ScheduleAnyway',
        labelSelector: selectorOf(c.selector, labels),
        ...(c.matchLabelKeys ? { matchLabelKeys: ['pod-template-hash'] } : {}),
      }));
      const spec: PodSpec = {
        containers: [{ name: 'c', requests: { cpu: p.cpu, memory: Gi }, limits: {} }],
        initContainers: [],
        tolerations: [],
        topologySpreadConstraints: constraints,
        terminationGracePeriodSeconds: 120, // terminating pods stay on their node a while
        restartPolicy: 'Always',
        hasLocalStorage: false,
        priority: p.prio * 100,
        // nodeSelector on a zone: node inclusion (nodeAffinityPolicy Honor) excludes nodes.
        ...(p.zoneSelector === 0 ? { nodeSelector: { [LABEL_ZONE]: 'a' } } : {}),
      };
      const owner = p.owned ? { kind: 'ReplicaSet', name: `rs${p.app}-${p.hash}`, controller: true } : null;
      const created = cluster.createPod({ name: `p${i}`, namespace: `ns${p.ns}`, labels, annotations: {}, owner: owner as Pod['owner'], spec });
      if (!('pod' in created) || p.end === 'none') return;
      const pod = created.pod;
      sim.schedule((p.atS + p.endS) * 1000, Phase.Controller, () => {
        if (p.end === 'delete') cluster.deletePod(pod, 'Killing', 'deleted by the test');
        else if (pod.node && pod.phase === 'Running') cluster.finishPod(pod, 'Succeeded', 'done');
      });
    });
  });
  sim.runUntil(1800_000);
  return binds;
}

test('property: kept spread counts equal fresh counts, and every pod goes to the same node', () => {
  fc.assert(
    fc.property(
      fc.array(nodePlan, { minLength: 1, maxLength: 6 }),
      fc.array(podPlan, { minLength: 10, maxLength: 80 }),
      fc.integer({ min: 1, max: 1000 }),
      (nodes, pods, seed) => {
        const kept = run(nodes, pods, seed, true); // SpreadCounts.verify: throws on any stale count
        const fresh = run(nodes, pods, seed, false);
        assert.deepEqual(kept, fresh);
      },
    ),
    { numRuns: 100 },
  );
});

test('countOnNode: the hash index and the full pod list agree', () => {
  const n = makeNode({ name: 'n' });
  const labels = { app: 'web', 'pod-template-hash': 'h' };
  bind(makePod({ name: 'a', labels }), n);
  bind(makePod({ name: 'b', labels: { app: 'web' } }), n);
  const selector = compileLabelSelector({ matchLabels: labels });
  // The hash-indexed count looks at pod "a" alone; the plain one at both and matches "a" only.
  assert.equal(countOnNode(n.info, { key: 'x', namespace: 'default', selector, hashKey: 'default/h' }), 1);
  assert.equal(countOnNode(n.info, { key: 'y', namespace: 'default', selector }), 1);
});

