// The two VPA scenarios, run end to end; the World wires the VPA (wireVpa before setup) and the
// recommendations are written after the recorder finishes, as run.ts does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { World } from '../src/world.ts';
import { Recorder } from '../src/record/recorder.ts';
import { writeRecommendations } from '../src/record/recommendations.ts';
import { readRun, scratchDir } from './support/run.ts';

const MI = 1024 * 1024;

async function runWithVpa(file: string) {
  const scenario = await loadScenario(path.join(import.meta.dirname, '..', 'scenarios', file));
  const dir = scratchDir();
  const world = new World(scenario);
  const vpa = world.controllers.get('vertical-pod-autoscaler')!;
  const recorder = new Recorder(dir, world);
  world.setup();
  world.usage.start(scenario.sampleEveryMs, scenario.durationMs);
  recorder.start();
  for (let until = 0; ; until = Math.min(until + 3_600_000, scenario.durationMs)) {
    world.sim.runUntil(until);
    await recorder.drain();
    if (until >= scenario.durationMs) break;
  }
  await recorder.finish();
  await writeRecommendations(dir, vpa.rows());
  return { ...readRun(dir), world };
}

/** End of the histogram bucket holding `value` (+15 % margin, truncated), as §2.3/§2.5. */
function target(value: number, first: number, scale: number): number {
  const bucket = Math.floor(Math.log((value * 0.05) / first + 1) / Math.log(1.05));
  const end = Math.trunc(((first * (1.05 ** (bucket + 1) - 1)) / 0.05) * scale);
  return end + Math.trunc(end * 0.15);
}

test('vpa-recommendations: VPA Off recommends per container and changes nothing', async () => {
  const run = await runWithVpa('vpa-recommendations.yaml');
  const rows = run.csv('recommendations.csv');
  const row = (w: string, c: string) => rows.find((r) => r.workload === w && r.container === c)!;
  assert.equal(rows.length, 4);
  const api = row('Deployment/shop/api', 'app');
  // 200m → bucket 14, end 0.2 × (1.05^15 − 1) = 0.21579 core → 215m + 32 = 247m.
  assert.equal(api.cpu_target_m, '247');
  assert.equal(Number(api.cpu_target_m), target(0.2, 0.01, 1000));
  assert.equal(Number(api.memory_target_bytes), target(600 * MI, 1e7, 1));
  // Two days of samples from 3 pods: confidence min(2 days, 3 × 2881/1440) = 2, upper = trunc(1.5 × 247),
  // lower = trunc(247 / 1.0005²) = 246.
  assert.equal(api.cpu_lower_m, '246');
  assert.equal(api.cpu_upper_m, '370');
  assert.equal(api.cpu_request_m, '1000');
  assert.equal(api.memory_limit_bytes, String(4096 * MI));
  assert.ok(Number(api.monthly_saving_usd) > 0);
  // The sidecar (5m → bucket 0, end 10m, + 1m margin = 11m) is below the per-pod minimums split
  // over two containers: trunc(25m / 2) = 12m, 125Mi.
  const sidecar = row('Deployment/shop/worker', 'log-shipper');
  assert.equal(sidecar.cpu_target_m, '12');
  assert.equal(sidecar.memory_target_bytes, String(125 * MI));
  // Under-requested: the saving is negative.
  assert.ok(Number(row('Deployment/shop/cache', 'redis').monthly_saving_usd) < 0);
  // Off: no eviction, every pod keeps its written requests.
  assert.equal(run.events('VPAEvicted').length, 0);
  assert.ok(run.events('VPAUpdated').length >= 3);
  for (const pod of run.world.api.pods.values()) if (pod.workload === 'Deployment/shop/api') assert.equal(pod.spec.containers[0].requests.cpu, 1000);
});

test('vpa-leak: an OOM kill bumps the memory target, the quick-OOM pod is evicted, admission raises request and limit', async () => {
  const run = await runWithVpa('vpa-leak.yaml');
  const ooms = run.events('OOMKilled');
  const evicted = run.events('VPAEvicted');
  // (256Mi − 240Mi) / (200Mi/h) = 288 s to the first OOM kill, all three pods at once.
  assert.deepEqual(ooms.slice(0, 3).map((e) => e.t), ['288', '288', '288']);
  // One bump per pod, not compounded across pods: max(256Mi + 100Mi, 1.2 × 256Mi) = 356Mi,
  // whose bucket end + 15 % is the new target, reported at the next recommender pass (300 s).
  const updated = run.events('VPAUpdated').find((e) => e.t === '300')!;
  assert.match(updated.message, new RegExp(`memory ${target(356 * MI, 1e7, 1)}$`));
  // The pods ran < 10 min: quick OOM, evicted at once, one per pass (tolerance 1 of 3).
  assert.equal(evicted[0].t, '300');
  assert.match(evicted[0].message, /^quick OOM/);
  assert.ok(evicted.length >= 6, `evictions: ${evicted.length}`);
  assert.equal(new Set(evicted.map((e) => e.t)).size, evicted.length, 'one eviction per updater pass');
  // Replacements carry the raised request; limit = request in the template, so also in them.
  const pods = [...run.world.api.pods.values()].filter((p) => p.workload === 'Deployment/shop/sessions' && p.deletionMs < 0);
  assert.equal(pods.length, 3);
  for (const p of pods) {
    const c = p.spec.containers[0];
    assert.ok(c.requests.memory! > 356 * MI);
    assert.equal(c.limits.memory, c.requests.memory);
  }
  // Repeated OOM kills do not compound (container.go RecordOOM, TestRecordOOMDontRunAway): a pod
  // killed again at the same request bumps its window peak to the same value, so a run of kills
  // leaves the target where it was.
  const updates = run.events('VPAUpdated').map((e) => Number(e.t));
  const killsBetween = updates.slice(1).map((t, i) => ooms.filter((e) => Number(e.t) > updates[i] && Number(e.t) < t).length);
  assert.ok(Math.max(...killsBetween) >= 6, `OOM kills between target changes: ${killsBetween}`);
  const rec = run.csv('recommendations.csv')[0];
  assert.ok(Number(rec.memory_target_bytes) > 512 * MI, `target ${rec.memory_target_bytes}`);
  // Current requests are what the running pods were admitted with.
  assert.equal(rec.memory_request_bytes, String(pods.at(-1)!.spec.containers[0].requests.memory));
});
