// Resource physics end to end, against numbers worked out by hand (issue 3 test list).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runYaml } from './support/run.ts';
import { RestartBackoff } from '../src/kubelet/backoff.ts';
import { oomScoreAdj } from '../src/kubelet/oomScore.ts';
import type { MetricsApi } from '../src/metrics/metricsApi.ts';
import type { World } from '../src/world.ts';

const scenario = (name: string, duration: string, body: string) => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: ${name}}
spec:
  duration: ${duration}
  sampleEvery: 1m
${body}`;

test('leak: 300Mi + 10Mi/h under a 400Mi limit is OOM-killed at exactly 10 h, and 10 h after each restart', async () => {
  // (400Mi - 300Mi) / (10Mi/h) = 10 h. The container then ran 10 h (> 10 min) since its last
  // restart, so the back-off entry has expired and every restart is immediate (reference §5.6).
  const run = await runYaml(scenario('leak', '25h', `  cluster:
    nodePools: [{name: p, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 1}]
  workloads:
    - {name: leaky, replicas: 1, containers: [{name: app, resources: {requests: {cpu: 100m, memory: 300Mi}, limits: {memory: 400Mi}}}]}
  behavior:
    - target: Deployment/default/leaky
      usage: {app: {cpu: {base: 50m, perUnit: 0m}, memory: {base: 300Mi, perUnit: 0Mi, leakPerHour: 10Mi}}}
`));
  assert.deepEqual(run.events('OOMKilled').map((e) => e.t), ['36000', '72000']);
  assert.deepEqual(run.events('Started').filter((e) => e.message.startsWith('Restarted')).map((e) => e.t), ['36000', '72000']);
  assert.equal(run.events('BackOff').length, 0);
  assert.equal(run.summary.pods.oomKills, 2);
  assert.equal(run.summary.pods.restarts, 2);
  // The leak starts from zero after a restart: 2 h after the second restart, 300Mi + 20Mi.
  const row = run.csv('workloads.csv').find((r) => r.t === String(72000 + 7200))!;
  assert.equal(row.memory_used_bytes, String((300 + 20) * 1024 * 1024));
  assert.equal(run.csv('workloads.csv').find((r) => r.t === '36060')!.oom_kills, '0');
  assert.equal(run.csv('workloads.csv').find((r) => r.t === '36000')!.oom_kills, '1');
});

test('CrashLoopBackOff: a container that starts above its limit restarts at 0, 10, 30, 70, 150, 310, 610, 910 s', async () => {
  // First failure: no back-off entry, restart at once; then 10 s doubling to 300 s, each counted
  // from the failure (kubelet doBackOff + flowcontrol.Backoff, reference §5.6).
  const run = await runYaml(scenario('crashloop', '16m', `  cluster:
    nodePools: [{name: p, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 1}]
  workloads:
    - {name: greedy, replicas: 1, containers: [{name: app, resources: {requests: {memory: 300Mi}, limits: {memory: 400Mi}}}]}
  behavior:
    - target: Deployment/default/greedy
      usage: {app: {cpu: {base: 10m, perUnit: 0m}, memory: {base: 500Mi, perUnit: 0Mi}}}
`));
  assert.deepEqual(run.events('OOMKilled').map((e) => Number(e.t)), [0, 0, 10, 30, 70, 150, 310, 610, 910]);
  assert.deepEqual(run.events('BackOff').map((e) => e.message.match(/Back-off (\d+)s/)![1]), ['10', '20', '40', '80', '160', '300', '300', '300']);
});

test('throttling: demand needing 600m against a 500m limit is served 5/6, throttled 1/6', async () => {
  const run = await runYaml(scenario('throttle', '10m', `  cluster:
    nodePools: [{name: p, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 1}]
  workloads:
    - {name: api, replicas: 1, containers: [{name: app, resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {cpu: 500m}}}]}
  behavior:
    - target: Deployment/default/api
      demand: [{constant: 100}]
      usage: {app: {cpu: {base: 0m, perUnit: 6m}, memory: {base: 200Mi, perUnit: 0Mi}}}
`));
  const row = run.csv('workloads.csv').find((r) => r.t === '300')!;
  assert.equal(row.demand, '100');
  assert.equal(row.served, '83.3333'); // 500m of CPU serves 500/6 = 83.33 units/s
  assert.equal(row.cpu_used_m, '500');
  assert.equal(row.cpu_throttled_pct, '16.6667');
  assert.equal(run.summary.demand.servedPct, 83.3333);
});

test('contention: requests of 1 and 3 CPU, both wanting 4 CPU on a 4-CPU node, get 1 and 3 CPU on cgroup v1, 0.99 and 3.01 on v2', async () => {
  const contention = (cgroupVersion: string) => runYaml(scenario('contention', '5m', `  cluster:
    nodePools: [{name: p, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 1, cgroupVersion: ${cgroupVersion}}]
  workloads:
    - {name: small, replicas: 1, containers: [{name: app, resources: {requests: {cpu: "1", memory: 256Mi}}}]}
    - {name: large, replicas: 1, containers: [{name: app, resources: {requests: {cpu: "3", memory: 256Mi}}}]}
  behavior:
    - {target: Deployment/default/small, usage: {app: {cpu: {base: "4", perUnit: 0m}, memory: {base: 100Mi, perUnit: 0Mi}}}}
    - {target: Deployment/default/large, usage: {app: {cpu: {base: "4", perUnit: 0m}, memory: {base: 100Mi, perUnit: 0Mi}}}}
`));
  // Both pods are Burstable: their cgroups share the burstable cgroup's 4 CPU by weight. v1:
  // cpu.shares 1024 and 3072.
  const v1 = await contention('v1');
  const at = (run: Awaited<typeof v1>, w: string) => run.csv('workloads.csv').find((r) => r.t === '60' && r.workload === `Deployment/default/${w}`)!;
  assert.equal(at(v1, 'small').cpu_used_m, '1000');
  assert.equal(at(v1, 'large').cpu_used_m, '3000');
  assert.equal(at(v1, 'small').cpu_throttled_pct, '0'); // starved, not throttled: there is no limit
  assert.equal(v1.csv('timeseries.csv').find((r) => r.t === '60')!.cpu_used_m, '4000');
  // v2: the kubelet's cpu.weight 1 + 1022 x 9999/262142 = 39 and 1 + 3070 x 9999/262142 = 118:
  // 4000 x 39/157 = 993.6m and 3006.4m.
  const v2 = await contention('v2');
  assert.equal(at(v2, 'small').cpu_used_m, '994');
  assert.equal(at(v2, 'large').cpu_used_m, '3006');
});

test('unit: back-off sequence and oom_score_adj', () => {
  const b = new RestartBackoff();
  assert.equal(b.delayAfterFailure('c', 0), 0);
  b.restarted('c', 0, 0);
  assert.equal(b.delayAfterFailure('c', 5_000), 10_000);
  b.restarted('c', 5_000, 15_000);
  assert.equal(b.delayAfterFailure('c', 16_000), 20_000);
  assert.equal(b.delayAfterFailure('c', 15_000 + 600_001), 0, 'ran more than 10 min: the entry expired');
  assert.equal(oomScoreAdj('Guaranteed', 1, 1, false), -997);
  assert.equal(oomScoreAdj('BestEffort', 0, 1, false), 1000);
  assert.equal(oomScoreAdj('Burstable', 512 * 2 ** 20, 4 * 2 ** 30, false), 875); // 1000 - 1000*0.125
});

test('E5 at rising load: throttled from 100 rps (t = 9,060 s), OOM-killed from 312 rps (t = 28,140 s)', async () => {
  // Load at minute m is 400 x m/600 = 0.6667 m rps. CPU 5m/unit passes the 500m limit first at
  // m = 151 (100.67 rps: 503.3m wanted, 0.6623% throttled); memory 200Mi + 1Mi/unit passes 512Mi
  // first at m = 469 (312.67 rps).
  const { runFile } = await import('./support/run.ts');
  const run = await runFile('scenarios/e05-rising-load.yaml');
  const rows = run.csv('workloads.csv');
  assert.equal(rows.find((r) => r.t === '9000')!.cpu_throttled_pct, '0');
  assert.equal(rows.find((r) => r.t === '9060')!.cpu_throttled_pct, '0.6623');
  const at9060 = rows.find((r) => r.t === '9060')!;
  assert.equal(Number(at9060.served), 100); // 500m serves 100 rps of the 100.67 offered
  assert.equal(run.events('OOMKilled')[0].t, '28140');
  assert.ok(run.events('BackOff').length > 0, 'the kubelet backs off between restarts');
  assert.ok(run.summary.demand.servedPct < 100);
});

test('property: served never exceeds demand, per sample, whatever the load and the limits', async () => {
  const fc = (await import('fast-check')).default;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 500 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 100, max: 2000 }),
      async (rps, perUnitMilli, replicas, limitMilli) => {
        const run = await runYaml(scenario('prop', '30m', `  cluster:
    nodePools: [{name: p, capacity: {cpu: "2", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 1}]
  workloads:
    - {name: w, replicas: ${replicas}, containers: [{name: app, resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: ${limitMilli}m}}}]}
  behavior:
    - target: Deployment/default/w
      demand: [{constant: ${rps}}, {daily: {amplitude: 0.5, peakAt: "00:10"}}, {noise: {cv: 0.2}}]
      usage: {app: {cpu: {base: 10m, perUnit: ${perUnitMilli}m}, memory: {base: 32Mi, perUnit: 0Mi}}}
`));
        for (const row of run.csv('workloads.csv')) {
          assert.ok(Number(row.served) <= Number(row.demand) + 1e-4, `served ${row.served} > demand ${row.demand} at ${row.t}`);
          assert.ok(Number(row.served) >= 0);
          assert.ok(Number(row.cpu_used_m) <= 2000 + 1, 'a node never gives more CPU than it has');
        }
        const pct = run.summary.demand.servedPct;
        assert.ok(pct === null || (pct >= 0 && pct <= 100));
      },
    ),
    { numRuns: 12 },
  );
});

test('same seed, same bytes, with demand and memory noise switched on', async () => {
  const yaml = scenario('noisy', '2h', `  seed: 9
  cluster:
    nodePools: [{name: p, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 2}]
  workloads:
    - {name: w, replicas: 3, containers: [{name: app, resources: {requests: {cpu: 200m, memory: 256Mi}, limits: {memory: 1Gi}}}]}
  behavior:
    - target: Deployment/default/w
      demand: [{constant: 50}, {noise: {cv: 0.3}}]
      usage: {app: {cpu: {base: 10m, perUnit: 4m}, memory: {base: 200Mi, perUnit: 2Mi, noise: 0.1}}}
`);
  const fs = await import('node:fs');
  const a = await runYaml(yaml);
  const b = await runYaml(yaml);
  for (const f of ['workloads.csv', 'timeseries.csv', 'events.csv', 'summary.json']) {
    assert.ok(fs.readFileSync(`${a.dir}/${f}`).equals(fs.readFileSync(`${b.dir}/${f}`)), `${f} differs`);
  }
  const other = await runYaml(yaml.replace('seed: 9', 'seed: 10'));
  assert.notEqual(fs.readFileSync(`${other.dir}/workloads.csv`, 'utf8'), fs.readFileSync(`${a.dir}/workloads.csv`, 'utf8'));
});

test('the web-diurnal scenario shows throttling at peaks, OOM kills from a leak and pressure evictions', async () => {
  const { runFile } = await import('./support/run.ts');
  const run = await runFile('scenarios/web-diurnal.yaml');
  const s = run.summary;
  assert.ok(s.pods.oomKills >= 15, `oomKills ${s.pods.oomKills}`); // 1Gi - 400Mi at 40Mi/h: about every 15.6 h, two pods
  assert.ok(s.pods.evictions >= 15, `evictions ${s.pods.evictions}`); // indexer: 2Gi/h until ~16Gi, about every 7 h
  assert.ok(s.demand.servedPct > 90 && s.demand.servedPct < 100, `servedPct ${s.demand.servedPct}`);
  const sale = run.csv('workloads.csv').find((r) => r.workload === 'Deployment/shop/storefront' && r.t === String(3.5 * 86400 + 1800))!;
  assert.ok(Number(sale.cpu_throttled_pct) > 30, 'the flash sale throttles the storefront');
  assert.ok(Number(sale.served) < Number(sale.demand));
  assert.match(run.events('Evicted')[0].message, /available: \d+Ki\. Container index was using \d+Ki, request is 2Gi/);
  assert.ok(s.utilization.cpuUsedPct > 0 && s.utilization.memoryUsedPct > 0);
});

test('E24: a Job whose pods are OOM-killed fails at backoffLimit 3 after 10/20/40 s of back-off', async () => {
  // 100Mi + 60Mi/min reaches the 256Mi limit 156 s after each start. restartPolicy Never: the pod
  // fails; the Job re-creates it after 10, 20, 40 s. Starts 0, 166, 342, 538; failures 156, 322,
  // 498, 694; the fourth failure exceeds backoffLimit 3.
  const { runFile } = await import('./support/run.ts');
  const run = await runFile('scenarios/e24-job-backoff.yaml');
  assert.deepEqual(run.events('Scheduled').map((e) => e.t), ['0', '166', '342', '538']);
  assert.deepEqual(run.events('OOMKilled').map((e) => e.t), ['156', '322', '498', '694']);
  assert.deepEqual(run.events('JobFailed').map((e) => [e.t, e.message.split(':')[0]]), [['694', 'BackoffLimitExceeded']]);
  assert.equal(run.summary.pods.restarts, 0); // Never: pods are replaced, not restarted
});

test('quiet nodes (all limits, under capacity) give what the general path gives', async () => {
  const { runFile } = await import('./support/run.ts');
  const fs = await import('node:fs');
  const quiet = await runFile('scenarios/e05-rising-load.yaml');
  process.env.CAPSIM_NO_QUIET = '1';
  try {
    const general = await runFile('scenarios/e05-rising-load.yaml');
    for (const f of ['summary.json', 'nodes.csv', 'events.csv', 'timeseries.csv', 'workloads.csv']) {
      assert.equal(fs.readFileSync(`${quiet.dir}/${f}`, 'utf8'), fs.readFileSync(`${general.dir}/${f}`, 'utf8'), f);
    }
  } finally {
    delete process.env.CAPSIM_NO_QUIET;
  }
});

test('the kernel OOM killer: memory past the node faster than the kubelet can evict kills the BestEffort container', async () => {
  // At 10m demand jumps 0 -> 4000 units/s: hog (BestEffort, 1Gi + 1Mi/unit) needs ~4.9Gi at once on a
  // 4Gi node. The kernel picks the highest badness: hog (oom_score_adj 1000), not db (Guaranteed, -997).
  const run = await runYaml(scenario('kernel-oom', '15m', `  cluster:
    nodePools: [{name: p, capacity: {cpu: "4", memory: 4Gi}, price: {onDemandPerHour: 0.1}, count: 1}]
  workloads:
    - {name: db, replicas: 1, containers: [{name: db, resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: 500m, memory: 1Gi}}}]}
    - {name: hog, replicas: 1, containers: [{name: hog}]}
  behavior:
    - {target: Deployment/default/db, usage: {db: {cpu: {base: 100m, perUnit: 0m}, memory: {base: 900Mi, perUnit: 0Mi}}}}
    - target: Deployment/default/hog
      demand: [{constant: 4000}, {spike: {at: 0s, duration: 10m, factor: 0}}]
      usage: {hog: {cpu: {base: 10m, perUnit: 0m}, memory: {base: 1Gi, perUnit: 1Mi}}}
`));
  const killed = run.events('OOMKilled');
  assert.ok(killed.length >= 1);
  assert.equal(killed[0].t, '600');
  assert.match(killed[0].object, /^Pod\/default\/hog-/);
  assert.match(killed[0].message, /^System out of memory: the kernel killed container hog/);
  assert.ok(killed.every((e) => e.object.startsWith('Pod/default/hog-')), 'the Guaranteed db is never the victim');
});

/** A World without a recorder, run up to `untilMs`: the test reads the metrics API itself.
 *  `before` runs before the scenario's objects are created. */
async function worldUntil(yaml: string, untilMs: number, before: (world: World) => void = () => {}): Promise<World> {
  const { loadScenario } = await import('../src/scenario/load.ts');
  const { World } = await import('../src/world.ts');
  const { writeScenario } = await import('./support/run.ts');
  const world = new World(await loadScenario(writeScenario(yaml)));
  before(world);
  world.setup();
  world.usage.start(world.scenario.sampleEveryMs, world.scenario.durationMs);
  world.sim.runUntil(untilMs);
  return world;
}

test('the metrics API agrees with itself: pods sum to their node, nodes to the cluster, on quiet and contended nodes', async () => {
  // api has limits everywhere (a node with only api pods is quiet); hog has none and wants a whole
  // node, so a node with a hog is contended. Memory has no leak and no load term: 3 x 100Mi +
  // 2 x 200Mi = 700Mi whatever the placement.
  const yaml = scenario('metrics-api', '10m', `  cluster:
    nodePools: [{name: p, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: 3}]
  workloads:
    - {name: api, replicas: 3, containers: [{name: app, resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 512Mi}}}]}
    - {name: hog, replicas: 2, containers: [{name: app, resources: {requests: {cpu: "1", memory: 256Mi}}}]}
  behavior:
    - target: Deployment/default/api
      demand: [{constant: 30}]
      usage: {app: {cpu: {base: 10m, perUnit: 5m}, memory: {base: 100Mi, perUnit: 0Mi}}}
    - {target: Deployment/default/hog, usage: {app: {cpu: {base: "4", perUnit: 0m}, memory: {base: 200Mi, perUnit: 0Mi}}}}
`);
  const world = await worldUntil(yaml, 300_000);
  const metrics: MetricsApi = world.usage;
  const totals = metrics.totals();
  assert.equal(totals.memoryUsedBytes, 700 * 2 ** 20);
  let cpu = 0;
  let memory = 0;
  for (const node of world.api.nodes) {
    const used = metrics.nodeUsage(node);
    let podCpu = 0;
    for (const pod of node.info.pods) podCpu += metrics.podUsage(pod, 'cpu') ?? 0;
    assert.ok(Math.abs(podCpu - used.cpuMilli) < 1e-6, `${node.name}: pods ${podCpu} vs node ${used.cpuMilli}`);
    // A node with a hog gives all its 4 CPU: 60m to its api pod, which wants least per share, and
    // the other 3940m to the hog.
    if (node.info.pods.some((p) => p.name.startsWith('hog-'))) assert.ok(Math.abs(used.cpuMilli - 4000) < 1e-6, `${node.name}: ${used.cpuMilli}`);
    cpu += used.cpuMilli;
    memory += used.memoryBytes;
  }
  assert.ok(Math.abs(cpu - totals.cpuUsedMilli) < 1e-6, `nodes ${cpu} vs cluster ${totals.cpuUsedMilli}`);
  assert.equal(memory, totals.memoryUsedBytes);
  // api: 30 units/s over 3 pods, 10m + 5m x 10 = 60m each, under its 500m limit.
  assert.equal(metrics.workload('Deployment/default/api')!.cpuUsedMilli, 180);
  assert.equal(metrics.workload('Deployment/default/api')!.load, 10);
  assert.ok(Math.abs(metrics.workload('Deployment/default/hog')!.cpuUsedMilli - 2 * 3940) < 1e-6);
});
