// The usage history's CPU samples counted from the specs' loud sums (usageHistory.ts
// cpuSamplesByCounts, while no node is contended) against walking every group (cpuSamples): with
// CAPSIM_CHECK_CPU_SAMPLES=1 the recorder takes both at every counted sample and throws where they
// differ (triples, counts or order). Random clusters: pods of several specs per workload (a
// rollout changes requests), idle pods starting, quiet nodes (every container limited), contended
// ones (a limitless hog), scale-ups and a node failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../src/scenario/load.ts';
import { World } from '../src/world.ts';
import type { UsageHistoryRecorder } from '../src/kubelet/usageHistory.ts';
import { writeScenario } from './support/run.ts';

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function scenario(seed: number): string {
  const r = random(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const workloads: string[] = [];
  const behavior: string[] = [];
  const events: string[] = [];
  for (let i = 0; i < 4; i++) {
    // Limits on every container (quiet nodes possible) or none (never quiet; may contend).
    const limited = r() < 0.5;
    const limits = limited ? `, limits: {cpu: ${pick(['300m', '500m', '1'])}, memory: 1Gi}` : '';
    const side = r() < 0.4 ? `, {name: side, resources: {requests: {cpu: 50m, memory: 64Mi}${limited ? ', limits: {cpu: 100m, memory: 256Mi}' : ''}}}` : '';
    workloads.push(`    - {name: w${i}, replicas: ${2 + Math.floor(r() * 6)}, containers: [{name: app, resources: {requests: {cpu: ${pick(['100m', '200m', '250m'])}, memory: 256Mi}${limits}}}${side}]}`);
    const perUnit = pick(['5m', '10m', '40m']);
    behavior.push(
      `    - {target: Deployment/default/w${i}, demand: [{constant: ${10 + Math.floor(r() * 40)}}, {daily: {amplitude: 0.5, peakAt: "${pick(['03:00', '14:00'])}"}}], ` +
        `usage: {app: {cpu: {base: 20m, perUnit: ${perUnit}}, memory: {base: 150Mi}}${side ? ', side: {cpu: {base: 5m}, memory: {base: 30Mi}}' : ''}}, startup: {delay: ${pick(['0s', '90s'])}}}`,
    );
    events.push(`    - {at: ${1 + Math.floor(r() * 10)}h, scale: {target: Deployment/default/w${i}, replicas: ${2 + Math.floor(r() * 8)}}}`);
    if (r() < 0.5) events.push(`    - {at: ${2 + Math.floor(r() * 10)}h, rollout: {target: Deployment/default/w${i}}}`);
  }
  if (r() < 0.6) {
    workloads.push(`    - {name: hog, replicas: 1, containers: [{name: app, resources: {requests: {cpu: 500m, memory: 256Mi}}}]}`);
    behavior.push(`    - {target: Deployment/default/hog, usage: {app: {cpu: {base: "${pick(['2', '4'])}"}, memory: {base: 200Mi}}}}`);
  }
  events.push(`    - {at: ${3 + Math.floor(r() * 8)}h, nodeFailure: {pool: p, count: 1, duration: 30m}}`);
  return `apiVersion: capsim/v1
kind: Scenario
metadata: {name: counted-samples-${seed}}
spec:
  seed: ${seed}
  duration: 14h
  sampleEvery: ${pick(['1m', '5m', '7m'])}
  cluster:
    nodePools: [{name: p, capacity: {cpu: "2", memory: 8Gi}, price: {onDemandPerHour: 0.1}, count: ${3 + Math.floor(r() * 4)}}]
  workloads:
${workloads.join('\n')}
  behavior:
${behavior.join('\n')}
  events:
${events.join('\n')}
`;
}

test('CPU samples counted from the specs equal those of walking every group, on 12 random clusters', async () => {
  process.env.CAPSIM_CHECK_CPU_SAMPLES = '1';
  let counted = 0;
  let walked = 0;
  try {
    for (let seed = 1; seed <= 12; seed++) {
      const s = await loadScenario(writeScenario(scenario(seed)));
      const world = new World(s);
      const history = world.usage.enableHistory(60_000) as UsageHistoryRecorder;
      world.setup();
      world.usage.start(s.sampleEveryMs, s.durationMs);
      // Throws at the first instant the two ways differ.
      world.sim.runUntil(s.durationMs);
      counted += history.countedSamples;
      walked += history.walkedSamples;
    }
  } finally {
    delete process.env.CAPSIM_CHECK_CPU_SAMPLES;
  }
  // Both ways ran: counted while no node was contended, walked while one was (or a flush pended).
  assert.ok(counted > 1000, `${counted} counted samples`);
  assert.ok(walked > 100, `${walked} walked samples`);
});
