// Hot-path rewrites in the scheduler's score plugins against the formulas they replace:
// equal integers on random nodes and pods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NodeResourcesBalancedAllocation, balancedScore } from '../src/scheduler/plugins/nodeResourcesBalancedAllocation.ts';
import { RandomStreams } from '../src/engine/random.ts';
import type { Profile } from '../src/scheduler/algorithm.ts';
import { SchedulingAlgorithm } from '../src/scheduler/algorithm.ts';
import { defaultProfile } from '../src/scheduler/profile.ts';
import { bind, makeNode, makePod, makeSnapshot } from './support/cluster.ts';

test('property: BalancedAllocation scores exactly balancedScore of the capped cpu and memory fractions', () => {
  const plugin = new NodeResourcesBalancedAllocation();
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 64_000 }), // allocatable cpu (0: not allocatable)
      fc.integer({ min: 0, max: 2 ** 38 }), // allocatable memory
      fc.integer({ min: 0, max: 80_000 }), // requested on the node
      fc.integer({ min: 0, max: 2 ** 38 }),
      fc.integer({ min: 0, max: 8_000 }), // the pod's requests
      fc.integer({ min: 0, max: 2 ** 34 }),
      (cpu, memory, usedCpu, usedMemory, podCpu, podMemory) => {
        const node = makeNode({ name: 'n', cpuMilli: cpu, memoryBytes: memory });
        if (usedCpu > 0 || usedMemory > 0) bind(makePod({ name: 'filler', cpuMilli: usedCpu, memoryBytes: usedMemory }), node);
        const pod = makePod({ name: 'p', cpuMilli: podCpu, memoryBytes: podMemory });
        // The formula as it was: the fractions of the allocatable resources, each capped at 1.
        const fractions: number[] = [];
        if (cpu > 0) fractions.push(Math.min(1, (usedCpu + podCpu) / cpu));
        if (memory > 0) fractions.push(Math.min(1, (usedMemory + podMemory) / memory));
        assert.equal(plugin.score(new Map(), pod, node.info), balancedScore(fractions));
      },
    ),
    { numRuns: 500 },
  );
});

test('property: prioritize with the plugins\' batch scoreAll equals scoring node by node', () => {
  const nodeArb = fc.record({
    zone: fc.constantFrom('a', 'b', null),
    cpu: fc.integer({ min: 1000, max: 16_000 }),
    prefer: fc.boolean(), // a PreferNoSchedule taint
    pods: fc.array(fc.record({ app: fc.integer({ min: 0, max: 2 }), cpu: fc.integer({ min: 0, max: 900 }) }), { maxLength: 5 }),
  });
  fc.assert(
    fc.property(
      fc.array(nodeArb, { minLength: 2, maxLength: 12 }),
      fc.record({ app: fc.integer({ min: 0, max: 2 }), cpu: fc.integer({ min: 0, max: 900 }), owned: fc.boolean(), tolerate: fc.boolean() }),
      (nodeSpecs, p) => {
        const nodes = nodeSpecs.map((n, i) => {
          const node = makeNode({
            name: `n${i}`,
            ...(n.zone === null ? {} : { zone: n.zone }),
            cpuMilli: n.cpu,
            taints: n.prefer ? [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }] : [],
          });
          n.pods.forEach((q, j) => bind(makePod({ name: `q${i}-${j}`, labels: { app: `a${q.app}` }, cpuMilli: q.cpu, memoryBytes: 1 << 28, owner: { kind: 'ReplicaSet', name: `rs${q.app}` } }), node));
          return node;
        });
        const pod = makePod({
          name: 'p',
          labels: { app: `a${p.app}` },
          cpuMilli: p.cpu,
          memoryBytes: 1 << 28,
          owner: p.owned ? { kind: 'ReplicaSet', name: `rs${p.app}` } : null,
          tolerations: p.tolerate ? [{ key: 'spot', operator: 'Exists', effect: 'PreferNoSchedule' }] : [],
        });
        const batch = defaultProfile();
        // The same plugins seen through score() alone, as prioritize called them before.
        const oneByOne: Profile = {
          ...batch,
          scores: batch.scores.map(({ plugin, weight }) => ({
            weight,
            plugin: {
              name: plugin.name,
              ...(plugin.preScore ? { preScore: plugin.preScore.bind(plugin) } : {}),
              score: plugin.score.bind(plugin),
              ...(plugin.normalize ? { normalize: plugin.normalize.bind(plugin) } : {}),
            },
          })),
        };
        const snapshot = makeSnapshot(nodes);
        const feasible = nodes.map((n) => n.info);
        const a = new SchedulingAlgorithm(batch, new RandomStreams(1).stream('t')).prioritize(pod, feasible, snapshot, new Map());
        const b = new SchedulingAlgorithm(oneByOne, new RandomStreams(1).stream('t')).prioritize(pod, feasible, snapshot, new Map());
        assert.deepEqual(a, b);
      },
    ),
    { numRuns: 300 },
  );
});
