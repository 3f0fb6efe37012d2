// NodeResourcesFit scoring (LeastAllocated, MostAllocated) and NodeResourcesBalancedAllocation
// against upstream's own score tables, ported case by case with upstream's expected numbers, and
// the scheduler's non-zero requests those scores use (an unset request counts 100m / 200Mi, an
// explicit 0 counts 0).
//
// Units: upstream's Capacity{"cpu": "4000"} is 4000 cores (4,000,000 millicores) and
// Req{"cpu": "1000"} 1000 cores; the balanced table's makeNode takes millicores. Memory is bytes.
//
// Not ported (capsim scores cpu and memory with weights, and has no scoringStrategy.resources):
// "Resources not set, pods scheduled with error" and the three "resource with ... weight" cases
// (config validation), "honor extended resource if the pod requests(s)" and "include scalar
// resource on a node for balanced resource allocation" (extended resources are not scored),
// the two DRA cases (no DRA), and "... if PreScore not called" (capsim's Score does not depend
// on PreScore state: the same numbers as the case before it).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from '../src/model/pod.ts';
import type { Node } from '../src/model/node.ts';
import type { ResourceMap } from '../src/model/resources.ts';
import type { ScoringStrategy } from '../src/scheduler/plugins/nodeResourcesFit.ts';
import { NodeResourcesFitScore } from '../src/scheduler/plugins/nodeResourcesFit.ts';
import { NodeResourcesBalancedAllocation } from '../src/scheduler/plugins/nodeResourcesBalancedAllocation.ts';
import type { ScorePlugin } from '../src/scheduler/framework.ts';
import { nonZeroRequests } from '../src/model/podResources.ts';
import { bind, makeNode, makePod, makeSnapshot } from './support/cluster.ts';
import { writeScenario } from './support/run.ts';
import { loadScenario } from '../src/scenario/load.ts';

const MI = 1024 * 1024;
const CORES = 1000; // millicores per core
const GPU = 'nvidia.com/gpu';

let seq = 0;
/** st.MakePod().Req(r1).Req(r2)...: one container per request list, as written (so "0" is set). */
function pod(...requests: ResourceMap[]): Pod {
  const containers: Container[] = requests.map((r, i) => ({ name: `c${i}`, requests: { ...r }, limits: {} }));
  return makePod({ name: `p${seq++}`, containers });
}

function node(name: string, cpuMilli: number, memoryBytes: number, extra?: ResourceMap): Node {
  return makeNode({ name, cpuMilli, memoryBytes, extra });
}

/** Each node with its existing pods bound; the plugin's PreScore, then Score per node (0 on
 *  every node when PreScore skips, as the framework adds nothing for a skipped plugin). */
function scores(plugin: ScorePlugin, incoming: Pod, nodes: Node[], existing: [string, Pod][] = []): number[] {
  for (const [name, p] of existing) bind(p, nodes.find((n) => n.name === name)!);
  const state = new Map();
  const infos = nodes.map((n) => n.info);
  if (plugin.preScore && !plugin.preScore(state, incoming, infos, makeSnapshot(nodes))) return nodes.map(() => 0);
  return infos.map((ni) => plugin.score(state, incoming, ni));
}

const least = (cpuWeight = 1, memoryWeight = 1) => new NodeResourcesFitScore('LeastAllocated' as ScoringStrategy, cpuWeight, memoryWeight);
const most = (cpuWeight = 1, memoryWeight = 1) => new NodeResourcesFitScore('MostAllocated' as ScoringStrategy, cpuWeight, memoryWeight);

describe('non-zero requests (util/pod_resources.go, resourcehelper.PodRequests with NonMissingContainerRequests)', () => {
  it('an unset cpu or memory request counts 100m / 200Mi; an explicit 0 counts 0 ("Override if un-set, but not if explicitly set to zero")', () => {
    const spec = (requests: ResourceMap) => pod(requests).spec;
    assert.deepEqual(nonZeroRequests(spec({})), { cpuMilli: 100, memoryBytes: 200 * MI });
    assert.deepEqual(nonZeroRequests(spec({ cpu: 0, memory: 0 })), { cpuMilli: 0, memoryBytes: 0 });
    assert.deepEqual(nonZeroRequests(spec({ cpu: 250 })), { cpuMilli: 250, memoryBytes: 200 * MI });
    assert.deepEqual(nonZeroRequests(spec({ memory: 0 })), { cpuMilli: 100, memoryBytes: 0 });
    // A pod without containers (upstream's st.MakePod().Obj()) has nothing to default.
    assert.deepEqual(nonZeroRequests(pod().spec), { cpuMilli: 0, memoryBytes: 0 });
  });

  it('component-helpers resource/helpers_test.go TestPodResourceRequests "non missing container requests applied to init container" / "... to regular container" (with the scheduler\'s defaults)', () => {
    const c = (name: string, requests: ResourceMap, sidecar = false): Container => ({ name, requests, limits: {}, ...(sidecar ? { restartPolicy: 'Always' as const } : {}) });
    // Init container i1 {cpu: 1}: cpu 1, memory defaulted.
    assert.deepEqual(nonZeroRequests(makePod({ name: 'i', containers: [], initContainers: [c('i1', { cpu: 1 * CORES })] }).spec), { cpuMilli: 1000, memoryBytes: 200 * MI });
    // Regular container c1 {cpu: 1}: the same.
    assert.deepEqual(nonZeroRequests(pod({ cpu: 1 * CORES }).spec), { cpuMilli: 1000, memoryBytes: 200 * MI });
  });

  it('an explicit 0 in a manifest stays set from the YAML to the scheduler\'s non-zero requests', async () => {
    const s = await loadScenario(writeScenario(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: zeros}
spec:
  manifests:
    - {apiVersion: v1, kind: Pod, metadata: {name: zero}, spec: {containers: [{name: c, resources: {requests: {cpu: "0", memory: 0Mi}}}]}}
    - {apiVersion: v1, kind: Pod, metadata: {name: unset}, spec: {containers: [{name: c, resources: {requests: {cpu: 250m}}}]}}
`));
    const spec = (name: string) => {
      const o = s.objects.find((x) => x.kind === 'Pod' && x.metadata.name === name);
      assert.ok(o && o.kind === 'Pod');
      return o.spec;
    };
    assert.deepEqual(spec('zero').containers[0].requests, { cpu: 0, memory: 0 });
    assert.deepEqual(nonZeroRequests(spec('zero')), { cpuMilli: 0, memoryBytes: 0 });
    assert.deepEqual(nonZeroRequests(spec('unset')), { cpuMilli: 250, memoryBytes: 200 * MI });
  });

  it('init containers, sidecars and overhead enter as in PodRequests, each container defaulted', () => {
    // Regular {cpu: 0} (memory unset: 200Mi) + sidecar {} (100m, 200Mi) = 100m, 400Mi. The plain
    // init container {cpu: 500m, memory: 0} runs after the sidecar started: 600m, 200Mi; the max
    // per resource is 600m, 400Mi; overhead {cpu: 50m} adds 50m.
    const p = makePod({
      name: 'mixed',
      containers: [{ name: 'app', requests: { cpu: 0 }, limits: {} }],
      initContainers: [
        { name: 'proxy', requests: {}, limits: {}, restartPolicy: 'Always' },
        { name: 'migrate', requests: { cpu: 500, memory: 0 }, limits: {} },
      ],
      overhead: { cpu: 50 },
    });
    assert.deepEqual(nonZeroRequests(p.spec), { cpuMilli: 650, memoryBytes: 400 * MI });
    assert.deepEqual([p.nonZeroCpuMilli, p.nonZeroMemoryBytes], [650, 400 * MI]);
  });
});

// pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go TestLeastAllocatedScoringStrategy
describe('LeastAllocated (least_allocated_test.go TestLeastAllocatedScoringStrategy)', () => {
  const small = () => [node('node1', 4000 * CORES, 10000), node('node2', 4000 * CORES, 10000)];
  const large = () => [node('node1', 10000 * CORES, 20000), node('node2', 10000 * CORES, 20000)];
  const requested = () => pod({ cpu: 1000 * CORES, memory: 2000 }, { cpu: 2000 * CORES, memory: 3000 });

  it('"nothing scheduled, nothing requested": 100, 100', () => {
    assert.deepEqual(scores(least(), pod(), small()), [100, 100]);
  });

  it('"nothing scheduled, resources requested, differently sized nodes": 37, 50', () => {
    // node1: cpu (4000-3000)*100/4000 = 25, memory (10000-5000)*100/10000 = 50 -> 37.
    assert.deepEqual(scores(least(), requested(), [node('node1', 4000 * CORES, 10000), node('node2', 6000 * CORES, 10000)]), [37, 50]);
  });

  it('"no resources requested, pods scheduled": 100, 100 (pods without containers count nothing)', () => {
    assert.deepEqual(scores(least(), pod(), small(), [['node1', pod()], ['node1', pod()], ['node2', pod()], ['node2', pod()]]), [100, 100]);
  });

  it('"no resources requested, pods scheduled with resources": 70, 57 (explicit memory 0 counts 0)', () => {
    // node1: cpu (10000-6000)*100/10000 = 40, memory 20000*100/20000 = 100 -> 70.
    // node2: cpu 40, memory (20000-5000)*100/20000 = 75 -> 57.
    const existing: [string, Pod][] = [
      ['node1', pod({ cpu: 3000 * CORES, memory: 0 })],
      ['node1', pod({ cpu: 3000 * CORES, memory: 0 })],
      ['node2', pod({ cpu: 3000 * CORES, memory: 0 })],
      ['node2', pod({ cpu: 3000 * CORES, memory: 5000 })],
    ];
    assert.deepEqual(scores(least(), pod(), large(), existing), [70, 57]);
  });

  it('"resources requested, pods scheduled with resources": 57, 45', () => {
    const existing: [string, Pod][] = [['node1', pod({ cpu: 3000 * CORES, memory: 0 })], ['node2', pod({ cpu: 3000 * CORES, memory: 5000 })]];
    assert.deepEqual(scores(least(), requested(), large(), existing), [57, 45]);
  });

  it('"resources requested, pods scheduled with resources, differently sized nodes": 57, 60', () => {
    const existing: [string, Pod][] = [['node1', pod({ cpu: 3000 * CORES, memory: 0 })], ['node2', pod({ cpu: 3000 * CORES, memory: 5000 })]];
    assert.deepEqual(scores(least(), requested(), [node('node1', 10000 * CORES, 20000), node('node2', 10000 * CORES, 50000)], existing), [57, 60]);
  });

  it('"requested resources exceed node capacity": 50, 25', () => {
    // cpu 6000 > 4000 scores 0; memory node1 100, node2 50.
    const existing: [string, Pod][] = [['node1', pod({ cpu: 3000 * CORES, memory: 0 })], ['node2', pod({ cpu: 3000 * CORES, memory: 5000 })]];
    assert.deepEqual(scores(least(), pod({ cpu: 3000 * CORES, memory: 0 }), small(), existing), [50, 25]);
  });

  it('"zero node resources, pods scheduled with resources": 0, 0', () => {
    const existing: [string, Pod][] = [['node1', pod({ cpu: 3000 * CORES, memory: 0 })], ['node2', pod({ cpu: 3000 * CORES, memory: 5000 })]];
    assert.deepEqual(scores(least(), pod(), [node('node1', 0, 0), node('node2', 0, 0)], existing), [0, 0]);
  });

  it('"nothing scheduled, resources requested with different weight on CPU and memory, differently sized nodes": 41, 50', () => {
    // node1: (25*1 + 50*2) / 3 = 41.
    assert.deepEqual(scores(least(1, 2), requested(), [node('node1', 4000 * CORES, 10000), node('node2', 6000 * CORES, 10000)]), [41, 50]);
  });

  it('"bypass extended resource if the pod does not request": 50, 50', () => {
    assert.deepEqual(scores(least(), requested(), [node('node1', 6000 * CORES, 10000), node('node2', 6000 * CORES, 10000, { [GPU]: 4 })]), [50, 50]);
  });

  it('"if the node doesn\'t have a resource": 55, 55', () => {
    // cpu (6000-3000)*100/6000 = 50, memory (10000-4000)*100/10000 = 60 -> 55.
    assert.deepEqual(scores(least(), pod({ cpu: 3000 * CORES, memory: 4000 }), [node('node1', 6000 * CORES, 10000), node('node2', 6000 * CORES, 10000, { [GPU]: 4 })]), [55, 55]);
  });
});

// pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go TestMostAllocatedScoringStrategy
describe('MostAllocated (most_allocated_test.go TestMostAllocatedScoringStrategy)', () => {
  const large = () => [node('node1', 10000 * CORES, 20000), node('node2', 10000 * CORES, 20000)];
  const requested = () => pod({ cpu: 1000 * CORES, memory: 2000 }, { cpu: 2000 * CORES, memory: 3000 });

  it('"nothing scheduled, nothing requested": 0, 0', () => {
    assert.deepEqual(scores(most(), pod(), [node('node1', 4000 * CORES, 10000), node('node2', 4000 * CORES, 10000)]), [0, 0]);
  });

  it('"nothing scheduled, resources requested, differently sized nodes": 62, 50', () => {
    // node1: cpu 3000*100/4000 = 75, memory 5000*100/10000 = 50 -> 62.
    assert.deepEqual(scores(most(), requested(), [node('node1', 4000 * CORES, 10000), node('node2', 6000 * CORES, 10000)]), [62, 50]);
  });

  it('"no resources requested, pods scheduled with resources": 30, 42 (explicit memory 0 counts 0)', () => {
    // node1: cpu 6000*100/10000 = 60, memory 0 -> 30; node2: 60 and 5000*100/20000 = 25 -> 42.
    const existing: [string, Pod][] = [
      ['node1', pod({ cpu: 3000 * CORES, memory: 0 })],
      ['node1', pod({ cpu: 3000 * CORES, memory: 0 })],
      ['node2', pod({ cpu: 3000 * CORES, memory: 0 })],
      ['node2', pod({ cpu: 3000 * CORES, memory: 5000 })],
    ];
    assert.deepEqual(scores(most(), pod(), large(), existing), [30, 42]);
  });

  it('"resources requested, pods scheduled with resources": 42, 55', () => {
    const existing: [string, Pod][] = [['node1', pod({ cpu: 3000 * CORES, memory: 0 })], ['node2', pod({ cpu: 3000 * CORES, memory: 5000 })]];
    assert.deepEqual(scores(most(), requested(), large(), existing), [42, 55]);
  });

  it('"resources requested equal node capacity": 95, 75', () => {
    const p = pod({ cpu: 2000 * CORES, memory: 4000 }, { cpu: 3000 * CORES, memory: 5000 });
    assert.deepEqual(scores(most(), p, [node('node1', 5000 * CORES, 10000), node('node2', 10000 * CORES, 9000)]), [95, 75]);
  });

  it('"nothing scheduled, resources requested, differently sized nodes" (memory weight 2): 58, 50', () => {
    // node1: (75*1 + 50*2) / 3 = 58.
    assert.deepEqual(scores(most(1, 2), requested(), [node('node1', 4000 * CORES, 10000), node('node2', 6000 * CORES, 10000)]), [58, 50]);
  });

  it('"no resources requested, pods scheduled, nonzero request for resource": 80, 30', () => {
    // Containers without requests count 100m / 200Mi each. node1: 3 x 100m of 250m -> capped 100;
    // 600Mi of 1000Mi -> 60; (100+60)/2 = 80. node2: 100m -> 40, 200Mi -> 20; 30.
    const empty = () => makePod({ name: `e${seq++}`, containers: [{ name: 'container', requests: {}, limits: {} }] });
    const nodes = [node('node1', 250, 1000 * MI), node('node2', 250, 1000 * MI)];
    assert.deepEqual(scores(most(), empty(), nodes, [['node1', empty()], ['node1', empty()]]), [80, 30]);
  });

  it('"bypass extended resource if the pod does not request": 50, 50', () => {
    assert.deepEqual(scores(most(), requested(), [node('node1', 6000 * CORES, 10000), node('node2', 6000 * CORES, 10000, { [GPU]: 4 })]), [50, 50]);
  });

  it('"if the node doesn\'t have a resource": 45, 45', () => {
    // cpu 3000*100/6000 = 50, memory 4000*100/10000 = 40 -> 45.
    assert.deepEqual(scores(most(), pod({ cpu: 3000 * CORES, memory: 4000 }), [node('node1', 6000 * CORES, 10000), node('node2', 6000 * CORES, 10000, { [GPU]: 4 })]), [45, 45]);
  });
});

// pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go TestNodeResourcesBalancedAllocation
describe('BalancedAllocation (balanced_allocation_test.go TestNodeResourcesBalancedAllocation)', () => {
  // The table's pod specs: cpuOnly {1000m, memory 0} + {2000m, memory 0}; cpuAndMemory
  // {1000m, 2000} + {2000m, 3000}. makeNode there takes millicores.
  const cpuOnly = () => pod({ cpu: 1000, memory: 0 }, { cpu: 2000, memory: 0 });
  const cpuAndMemory = () => pod({ cpu: 1000, memory: 2000 }, { cpu: 2000, memory: 3000 });
  const balanced = () => new NodeResourcesBalancedAllocation();
  const placed = (): [string, Pod][] => [['node1', cpuOnly()], ['node2', cpuAndMemory()]];

  it('"nothing scheduled, nothing requested, skip in PreScore": a pod requesting no cpu and no memory is not scored', () => {
    const plugin = balanced();
    const nodes = [node('node1', 4000, 10000), node('node2', 4000, 10000)];
    assert.equal(plugin.preScore(new Map(), pod()), false);
    // Explicit zeros are a best-effort request too; any cpu or memory request is scored.
    assert.equal(plugin.preScore(new Map(), pod({ cpu: 0, memory: 0 })), false);
    assert.equal(plugin.preScore(new Map(), pod({ memory: 1 })), true);
    assert.deepEqual(scores(plugin, pod(), nodes), [0, 0]);
  });

  it('"nothing scheduled, resources requested, differently sized nodes": 87, 100', () => {
    // node1: cpu 3000/4000 = 0.75, memory 5000/10000 = 0.5, std 0.125 -> 87.
    assert.deepEqual(scores(balanced(), cpuAndMemory(), [node('node1', 4000, 10000), node('node2', 6000, 10000)]), [87, 100]);
  });

  it('"resources requested, pods scheduled with resources": 82, 95', () => {
    // node1: cpu 6000/10000 = 0.6, memory 5000/20000 = 0.25, std 0.175 -> 82.
    assert.deepEqual(scores(balanced(), cpuAndMemory(), [node('node1', 10000, 20000), node('node2', 10000, 20000)], placed()), [82, 95]);
  });

  it('"resources requested, pods scheduled with resources, differently sized nodes": 82, 80', () => {
    assert.deepEqual(scores(balanced(), cpuAndMemory(), [node('node1', 10000, 20000), node('node2', 10000, 50000)], placed()), [82, 80]);
  });

  it('"requested resources at node capacity": 50, 75', () => {
    // node1: cpu 6000/6000 = 1, memory 0 (explicit zeros), std 0.5 -> 50.
    assert.deepEqual(scores(balanced(), cpuOnly(), [node('node1', 6000, 10000), node('node2', 6000, 10000)], placed()), [50, 75]);
  });

  it('"node without the scalar resource should skip the scalar resource": 63, 63', () => {
    // cpu 3000/3500 = 0.857, memory 5000/40000 = 0.125, std 0.366 -> 63 on both nodes.
    assert.deepEqual(scores(balanced(), cpuAndMemory(), [node('node1', 3500, 40000, { [GPU]: 8 }), node('node2', 3500, 40000)]), [63, 63]);
  });
});
