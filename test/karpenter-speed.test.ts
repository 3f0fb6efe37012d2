// The shortcuts that make Karpenter runs fast must decide exactly what the plain code decides
// (issue 17, "Speed"): solve's room check without building the sum (podRequirements.ts fitsSum).
// The whole-run sameness (byte-identical outputs of karpenter-diurnal, -drift, -nodepools and
// bench/large.ts writeKarpenterScenario) is checked with scripts/output-digests.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addVectors, fits, fitsSum, type ResourceVector } from '../src/karpenter/podRequirements.ts';

test('fitsSum: a node with 1000m, 500m used, takes a 500m pod and refuses a 501m one (as fits(addVectors))', () => {
  const available = { cpu: 1000, memory: 4 * 2 ** 30, pods: 110 };
  const used = { cpu: 500, memory: 2 ** 30, pods: 3 };
  assert.equal(fitsSum(used, { cpu: 500, memory: 2 ** 30, pods: 1 }, available), true);
  assert.equal(fitsSum(used, { cpu: 501, memory: 2 ** 30, pods: 1 }, available), false);
  // a resource the node does not have: only a positive request of it fails
  assert.equal(fitsSum(used, { 'nvidia.com/gpu': 1 }, available), false);
  assert.equal(fitsSum(used, { 'nvidia.com/gpu': 0 }, available), true);
});

test('fitsSum equals fits(addVectors(a, b), available) for any vectors, keys on one side or both', () => {
  const keys = ['cpu', 'memory', 'pods', 'gpu'];
  const vector = fc.dictionary(fc.constantFrom(...keys), fc.oneof(fc.integer({ min: -5, max: 20 }), fc.double({ min: -1, max: 20, noNaN: true })));
  fc.assert(fc.property(vector, vector, vector, (a: ResourceVector, b: ResourceVector, available: ResourceVector) => {
    assert.equal(fitsSum(a, b, available), fits(addVectors(a, b), available));
  }), { numRuns: 2000 });
});
