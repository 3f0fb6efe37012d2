// Hot-path rewrites in the scheduler's score plugins against the formulas they replace:
// equal integers on random nodes and pods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NodeResourcesBalancedAllocation, balancedScore } from '../src/scheduler/plugins/nodeResourcesBalancedAllocation.ts';
import { bind, makeNode, makePod } from './support/cluster.ts';

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
