// Node memory pressure as the kubelet and the control plane handle it: the eviction manager's
// MemoryPressure condition with its transition period, the memory-pressure NoSchedule taint that
// follows the condition, and admission refusing BestEffort pods while it holds. Upstream's
// eviction_manager_test.go cases are ported on the eviction manager alone; the same behaviour end
// to end is the scenario at the bottom, its times worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../src/engine/simulation.ts';
import { RandomStreams } from '../src/engine/random.ts';
import { EvictionManager } from '../src/kubelet/evictionManager.ts';
import { OomKiller } from '../src/kubelet/oomKiller.ts';
import { Group, NodeRun, Spec, WorkloadRun } from '../src/kubelet/podGroups.ts';
import type { Node } from '../src/model/node.ts';
import type { Pod, QosClass } from '../src/model/pod.ts';
import type { Toleration } from '../src/model/api.ts';
import type { ContainerModel } from '../src/workload/usage.ts';
import { runYaml } from './support/run.ts';

const MI = 1024 * 1024;
const GI = 1024 * MI;
const MINUTE = 60_000;

function model(overrides: Partial<ContainerModel>): ContainerModel {
  return {
    name: 'app', cpuBaseMilli: 0, cpuPerUnitMilli: 0, memBaseBytes: 0, memPerUnitBytes: 0, leakBytesPerMs: 0, memNoise: 0,
    cpuRequestMilli: 0, cpuLimitMilli: Infinity, memRequestBytes: 0, memLimitBytes: Infinity, ...overrides,
  };
}

let uid = 1;
function pod(name: string, qos: QosClass, priority = 0, memoryRequestBytes = 0, tolerations: Toleration[] = []): Pod {
  return { uid: uid++, name, namespace: 'default', qos, priority, requests: { memoryBytes: memoryRequestBytes }, deletionMs: -1, spec: { tolerations } } as unknown as Pod;
}

/** A node whose kubelet has evictionHard memory.available 1Gi and a 5-minute transition period,
 *  and an eviction manager over it. The node's memory.available is set directly, as upstream's
 *  fake summary provider does; pods only say what each uses, for ranking. */
function evictionManager() {
  const sim = new Simulation();
  const events: { atMs: number; type: string }[] = [];
  const evicted: { name: string; gracePeriodSeconds?: number; atMs: number }[] = [];
  const node = { name: 'test', index: 0, state: 'Ready', pool: null, capacity: { cpuMilli: 4000, memoryBytes: 8 * GI }, allocatable: { cpuMilli: 4000, memoryBytes: 7 * GI } } as unknown as Node;
  const n = new NodeRun(node, { evictionHardMemoryBytes: GI, evictionPressureTransitionPeriodMs: 5 * MINUTE, cgroupVersion: 'v2' });
  const host = {
    refresh: () => {},
    nodeChanged: () => sim.schedule(sim.nowMs, 8, () => manager.watch(n, sim.nowMs)),
    nodeRun: () => n,
    kill: () => {},
    groupChanged: () => {},
    recompute: () => {},
  };
  const cluster = {
    sim,
    get nowMs() {
      return sim.nowMs;
    },
    emit: (type: string) => events.push({ atMs: sim.nowMs, type }),
    deletePod: (p: Pod, _type: string, _message: string, gracePeriodSeconds?: number) => {
      p.deletionMs = sim.nowMs;
      evicted.push({ name: p.name, gracePeriodSeconds, atMs: sim.nowMs });
    },
    setNodeMemoryPressure: (target: Node, pressure: boolean) => {
      target.memoryPressure = pressure;
    },
  };
  const manager = new EvictionManager(cluster, new OomKiller(sim, host), host);
  /** A pod using `workingSetBytes`, alone in its group on the node. */
  const run = (p: Pod, workingSetBytes: number) => {
    const w = new WorkloadRun(`Pod/default/${p.name}`, { demand: null, usage: {}, noise: new RandomStreams(1).stream(p.name) });
    const spec = new Spec(p.name, [model({ memBaseBytes: workingSetBytes })], p.qos, 0);
    spec.update(0, 1, 0);
    const g = new Group(w, n, spec, 0);
    g.pods.add({ pod: p, group: g, starts: [0], cls: 'idle' });
    n.groups.add(g);
  };
  /** memory.available from now on (no growth), and the kubelet looks at once. */
  const available = (bytes: number) => {
    n.memA = n.memoryCapacityBytes - bytes;
    n.memB = 0;
    manager.watch(n, sim.nowMs);
  };
  return { sim, n, node, manager, run, available, events, evicted };
}

test('eviction_manager_test.go TestMemoryPressure: the condition, the victim, admission, and the 5-minute transition period', () => {
  // Upstream's pods and working sets; priorities low -1, default 0, high 1.
  const m = evictionManager();
  const pods = [
    [pod('guaranteed-low-priority-high-usage', 'Guaranteed', -1, GI), 900 * MI],
    [pod('burstable-below-requests', 'Burstable', 0, 100 * MI), 50 * MI],
    [pod('burstable-above-requests', 'Burstable', 0, 100 * MI), 400 * MI],
    [pod('best-effort-high-priority-high-usage', 'BestEffort', 1), 400 * MI],
    [pod('best-effort-low-priority-low-usage', 'BestEffort', -1), 100 * MI],
  ] as const;
  for (const [p, ws] of pods) m.run(p, ws);
  const bestEffortPodToAdmit = pod('best-admit', 'BestEffort');
  const burstablePodToAdmit = pod('burst-admit', 'Burstable', 0, 100 * MI);
  const admits = () => [bestEffortPodToAdmit, burstablePodToAdmit].map((p) => m.manager.admit(p, m.node).admit);

  // 2Gi available: no pressure, both admitted.
  m.available(2 * GI);
  m.sim.runUntil(0);
  assert.equal(m.n.memoryPressure, false);
  assert.deepEqual(admits(), [true, true]);
  // (Upstream's next steps induce its 2Gi soft threshold with a 2-minute grace period; capsim has
  // evictionHard only, so they have no counterpart.) 3Gi: no pressure.
  m.sim.runUntil(20 * MINUTE);
  m.available(3 * GI);
  m.sim.runUntil(20 * MINUTE);
  assert.equal(m.n.memoryPressure, false);

  // "induce memory pressure!": 500Mi < 1Gi. Every pod but the Guaranteed one and the one below its
  // request exceeds its request; of those the lowest priority goes: best-effort-low-priority-low-usage,
  // with the hard-eviction grace period of 1 s.
  const t = 21 * MINUTE;
  m.sim.runUntil(t);
  m.available(500 * MI);
  m.sim.runUntil(t);
  assert.equal(m.n.memoryPressure, true);
  assert.equal(m.node.memoryPressure, true, 'the condition is posted to the API');
  assert.deepEqual(m.evicted, [{ name: 'best-effort-low-priority-low-usage', gracePeriodSeconds: 1, atMs: t }]);
  // The best-effort pod should not admit, burstable should.
  assert.deepEqual(admits(), [false, true]);
  assert.deepEqual(m.manager.admit(bestEffortPodToAdmit, m.node), { admit: false, reason: 'Evicted', message: 'The node had condition: [MemoryPressure].' });

  // "reduce memory pressure": 2Gi by the next pass (upstream's next synchronize; capsim's comes
  // once the evicted pod is cleaned up, 1 s later). Still pressure: the transition period has
  // not passed since the signal was last seen at t. No pod killed; BestEffort still refused.
  m.sim.schedule(t + 1000, 1, () => m.available(2 * GI));
  m.sim.runUntil(t + MINUTE);
  assert.equal(m.n.memoryPressure, true);
  assert.equal(m.evicted.length, 1);
  assert.deepEqual(admits(), [false, true]);

  // Past the transition period: no pressure, no kill, all admitted. The condition ends exactly
  // 5 minutes after t.
  m.sim.runUntil(t + 5 * MINUTE - 1);
  assert.equal(m.n.memoryPressure, true);
  m.sim.runUntil(t + 6 * MINUTE);
  assert.equal(m.n.memoryPressure, false);
  assert.equal(m.node.memoryPressure, false);
  assert.equal(m.evicted.length, 1);
  assert.deepEqual(admits(), [true, true]);
  assert.deepEqual(
    m.events.map((e) => [e.atMs, e.type]),
    [[t, 'NodeHasInsufficientMemory'], [t, 'EvictionThresholdMet'], [t + 5 * MINUTE, 'NodeHasSufficientMemory']],
  );
});

test('eviction_manager_test.go TestAdmitUnderNodeConditions, and Admit\'s critical and tolerating pods', () => {
  const m = evictionManager();
  const qos: QosClass[] = ['Guaranteed', 'Burstable', 'BestEffort'];
  const pods = qos.map((q) => pod(`${q.toLowerCase()}-pod`, q));
  assert.deepEqual(pods.map((p) => m.manager.admit(p, m.node).admit), [true, true, true]);
  m.n.memoryPressure = true; // manager.nodeConditions = [MemoryPressure]
  assert.deepEqual(pods.map((p) => m.manager.admit(p, m.node).admit), [true, true, false]);
  // (Upstream's MemoryPressure + DiskPressure case refuses everyone; capsim has no disk pressure.)
  // eviction_manager.go Admit: critical pods are admitted under pressure...
  assert.equal(m.manager.admit(pod('critical', 'BestEffort', 2_000_000_000), m.node).admit, true);
  // ...and a BestEffort pod that tolerates the memory-pressure taint; another toleration does not help.
  const tolerating = pod('tolerating', 'BestEffort', 0, 0, [{ key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' }]);
  assert.equal(m.manager.admit(tolerating, m.node).admit, true);
  const other = pod('other', 'BestEffort', 0, 0, [{ key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' }]);
  assert.equal(m.manager.admit(other, m.node).admit, false);
});

/** A 4Gi node (evictionHard 100Mi) where g (Guaranteed, 1Gi) and b (Burstable, request 512Mi,
 *  512Mi + 1Gi/h) cross 3996Mi of memory at (3996 - 1536)/1024 h = 8648.438 s; `more` adds lines
 *  to its workloads, manifests, behavior and events. */
function pressureScenario(name: string, pool = '', more: { workloads?: string; manifests?: string; behavior?: string; events?: string } = {}): string {
  return `apiVersion: capsim/v1
kind: Scenario
metadata: {name: ${name}}
spec:
  duration: 3h
  sampleEvery: 1m
  cluster:
    nodePools: [{name: p, capacity: {cpu: "4", memory: 4Gi}, price: {onDemandPerHour: 0.1}, count: 1${pool}}]
  workloads:
    - {name: g, replicas: 1, containers: [{name: app, resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: 500m, memory: 1Gi}}}]}
    - {name: b, replicas: 1, containers: [{name: app, resources: {requests: {cpu: 500m, memory: 512Mi}}}]}
${more.workloads ?? ''}${more.manifests ? `  manifests:\n${more.manifests}` : ''}  behavior:
    - {target: Deployment/default/g, usage: {app: {cpu: {base: 100m, perUnit: 0m}, memory: {base: 1Gi, perUnit: 0Mi}}}}
    - {target: Deployment/default/b, usage: {app: {cpu: {base: 100m, perUnit: 0m}, memory: {base: 512Mi, perUnit: 0Mi, leakPerHour: 1Gi}}}}
${more.behavior ?? ''}${more.events ? `  events:\n${more.events}` : ''}`;
}

test('node memory pressure evicts the pod furthest above its request, never the Guaranteed one within its request', async () => {
  const run = await runYaml(pressureScenario('pressure'));
  const evicted = run.events('Evicted');
  assert.deepEqual(evicted.map((e) => e.t), ['8648.438']);
  assert.match(evicted[0].object, /^Pod\/default\/b-/);
  assert.match(evicted[0].message, /^The node was low on resource: memory\. Threshold quantity: 100Mi, available: \d+(Ki|Mi)?\. Container app was using \d+.*, request is 512Mi/);
  assert.equal(run.events('EvictionThresholdMet')[0].t, '8648.438');
  // The pass 1 s later (the evicted pod cleaned up) finds memory back: no second eviction, and
  // the terminating pod is not OOM-killed by b's replacement growing beside it (it waits, below).
  assert.equal(run.summary.pods.oomKills, 0);
});

test('end to end: the condition taints the node for 5 minutes after the last pass that saw pressure; a BestEffort Job pod bound there fails Evicted and is retried', async () => {
  // b is evicted at 8648.438 s; the pass 1 s later finds memory back, so the condition ends at
  // 8648.438 + 300 = 8948.438 s. At 8700 s web is scaled to 2 and a BestEffort Job pod pinned to
  // the node (spec.nodeName) arrives.
  const run = await runYaml(pressureScenario('memory-pressure', '', {
    workloads: `    - {name: web, replicas: 0, containers: [{name: app, resources: {requests: {cpu: 100m, memory: 64Mi}}}]}
`,
    manifests: `    - apiVersion: batch/v1
      kind: Job
      metadata: {name: probe}
      spec:
        template:
          spec:
            nodeName: p-001
            containers: [{name: c, image: busybox}]
            restartPolicy: Never
`,
    behavior: `    - {target: Job/default/probe, arrivals: {cron: "25 2 * * *"}, run: {duration: 1m}}
`,
    events: `    - {at: 8700s, scale: {target: Deployment/default/web, replicas: 2}}
`,
  }));
  const times = (type: string, prefix = '') => run.events(type).filter((e) => e.object.startsWith(prefix)).map((e) => e.t);
  assert.deepEqual(times('NodeHasInsufficientMemory'), ['8648.438']);
  assert.deepEqual(times('NodeHasSufficientMemory'), ['8948.438']);
  assert.deepEqual(times('Evicted', 'Pod/default/b-'), ['8648.438']);
  // While the taint is on, new pods that do not tolerate it wait (TaintToleration), b's
  // replacement as well as web's; they are placed the moment it goes.
  const waiting = run.events('FailedScheduling').filter((e) => e.object.startsWith('Pod/default/web-'));
  assert.deepEqual(waiting.map((e) => e.t), ['8700', '8700']);
  assert.match(waiting[0].message, /^0\/1 nodes are available: 1 node\(s\) had untolerated taint \{node\.kubernetes\.io\/memory-pressure: \}\./);
  assert.deepEqual(times('Scheduled', 'Pod/default/web-'), ['8948.438', '8948.438']);
  assert.deepEqual(times('Scheduled', 'Pod/default/b-').at(-1), '8948.438');
  // The pinned BestEffort pod skips the scheduler and the kubelet refuses it: Failed, reason
  // Evicted. The Job controller retries after 10, 20, 40, 80 and 160 s: refused at 8700, 8710,
  // 8730, 8770 and 8850, admitted at 9010 once the condition is gone, done a minute later.
  const refused = run.events('Evicted').filter((e) => e.object.startsWith('Pod/default/probe-1-'));
  assert.deepEqual(refused.map((e) => e.t), ['8700', '8710', '8730', '8770', '8850']);
  assert.equal(refused[0].message, 'The node had condition: [MemoryPressure].');
  assert.deepEqual(times('Started', 'Pod/default/probe-1-'), ['9010']);
  assert.deepEqual(times('JobCompleted'), ['9070']);
});

test('evictionPressureTransitionPeriod: a pool\'s 1m ends the condition a minute after the last pass that saw pressure', async () => {
  const run = await runYaml(pressureScenario('transition', ', evictionPressureTransitionPeriod: 1m'));
  assert.deepEqual(run.events('NodeHasInsufficientMemory').map((e) => e.t), ['8648.438']);
  assert.deepEqual(run.events('NodeHasSufficientMemory').map((e) => e.t), ['8708.438']);
  assert.equal(run.events('Scheduled').at(-1)!.t, '8708.438', 'b\'s replacement waits for the taint to go');
});
