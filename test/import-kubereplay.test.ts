// capsim import kubereplay (src/import/kubereplay.ts): the sample capture under
// scenarios/kubereplay/ (built from tools/kubereplay's format, pkg/format/log.go, and its demo
// generator) imports and replays; a damaged capture gets file:line:column; a fuzz test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { importKubereplay } from '../src/import/kubereplay.ts';
import { InputError } from '../src/scenario/errors.ts';
import { capsim, runFile, scratchDir } from './support/run.ts';

const SAMPLE = path.resolve(import.meta.dirname, '../scenarios/kubereplay/capture.json');

test('the sample capture: Deployments scaled at their times, Jobs\' pods created at theirs; it replays', async () => {
  const out = path.join(scratchDir('capsim-kubereplay-'), 'replay');
  const r = await importKubereplay({ capture: SAMPLE, outDir: out });
  // 9 events: 3 Deployment creates, 3 scales, 1 delete, 2 Job creates.
  assert.deepEqual([r.events, r.deployments, r.scales, r.deletes, r.jobs, r.skipped.length], [9, 3, 3, 1, 2, 0]);
  // job-0: parallelism 2, completions 5 -> 2 pods of ceil(5/2) = 3 rounds of `sleep 20` = 60 s;
  // job-1: parallelism 3, completions 3 -> 3 pods of 25 s.
  assert.equal(r.jobPods, 5);
  const rows = fs.readFileSync(path.join(out, 'traces/jobs.csv'), 'utf8').trim().split('\n');
  assert.deepEqual(rows.slice(1, 3), ['job-0-0,kubereplay,450,60s,250m,256Mi,,,,,', 'job-0-1,kubereplay,450,60s,250m,256Mi,,,,,']);
  assert.equal(rows[3], 'job-1-0,kubereplay,1860,25s,1,1Gi,,,,,'); // 09:31:00 - 09:00:00
  const yaml = fs.readFileSync(path.join(out, 'scenario.yaml'), 'utf8');
  assert.match(yaml, /start: "2026-01-05T09:00:00Z"/); // the first event
  assert.match(yaml, /- \{at: 900s, scale: \{target: Deployment\/kubereplay\/deployment-0, replicas: 8\}\}/); // 09:15:00
  assert.match(yaml, /- \{at: 2730s, scale: \{target: Deployment\/kubereplay\/deployment-1, replicas: 0\}\}  # delete/); // 09:45:30
  assert.match(yaml, /duration: 6600s/); // the last event (3000 s) and the 1 h tail
  const manifests = fs.readFileSync(path.join(out, 'manifests/workloads.yaml'), 'utf8');
  assert.equal((manifests.match(/"kind":"PodDisruptionBudget"/g) ?? []).length, 3);
  const run = await runFile(path.join(out, 'scenario.yaml'));
  const scaled = run.events('ScalingReplicaSet').length;
  assert.ok(scaled >= 6, `${scaled} ScalingReplicaSet events`);
  const workloads = Object.fromEntries(run.csv('workloads.csv').map((w) => [w.workload, w]));
  assert.ok(workloads['Deployment/kubereplay/deployment-2'], 'deployment-2 ran');
  // Jobs' pods: five, all completed (nothing else holds 250m or 1 CPU back on m5.xlarge nodes).
  const pods = run.csv('pods.csv');
  assert.deepEqual(pods.map((p) => p.outcome), ['Completed', 'Completed', 'Completed', 'Completed', 'Completed']);
  assert.equal(run.summary.traces!.pods, 5);
});

test('a damaged capture: each bad field with file:line:column, nothing written', async () => {
  const dir = scratchDir('capsim-kubereplay-bad-');
  const file = path.join(dir, 'capture.json');
  fs.writeFileSync(file, [
    '{"cluster": "x", "events": [',
    '  {"type": "create", "kind": "Deployment", "key": "default/web", "timestamp": "2026-01-05T09:00:00Z"},',
    '  {"type": "resize", "kind": "Deployment", "key": "default/web", "timestamp": "2026-01-05T09:01:00Z"},',
    '  {"type": "scale", "kind": "Deployment", "key": "default/web", "replicas": -1, "timestamp": "yesterday"}',
    ']}',
  ].join('\n'));
  const out = path.join(dir, 'out');
  await assert.rejects(importKubereplay({ capture: file, outDir: out }), (e: unknown) => {
    assert.ok(e instanceof InputError);
    // Line 2: the create without its object (at the event); line 3: the type; line 4: the
    // timestamp's and the replicas' values.
    assert.deepEqual(e.problems.map((p) => `${p.line}:${p.column} ${p.path}`), ['2:3 events[0].deployment', '3:12 events[1].type', '4:94 events[2].timestamp', '4:77 events[2].replicas']);
    assert.match(e.problems[0]!.message, /a create event carries the Deployment/);
    return true;
  });
  assert.equal(fs.existsSync(out), false);
  const r = capsim('import', 'kubereplay', file, '--out', out);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /capture\.json:3:12: events\[1\]\.type: "resize" is not an event type/);
});

test('fuzz: garbled captures are input errors or imports, never a crash', async () => {
  const text = fs.readFileSync(SAMPLE, 'utf8');
  const dir = scratchDir('capsim-kubereplay-fuzz-');
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.nat(text.length), fc.nat(40), fc.string({ maxLength: 8 }), async (at, cut, junk) => {
      const file = path.join(dir, `c${n}.json`);
      fs.writeFileSync(file, text.slice(0, at) + junk + text.slice(at + cut));
      try {
        await importKubereplay({ capture: file, outDir: path.join(dir, `o${n++}`) });
      } catch (error) {
        assert.ok(error instanceof InputError, String(error));
        for (const p of error.problems) assert.ok(p.line >= 0 && p.message.length > 0);
      }
    }),
    { numRuns: 60, seed: 20 },
  );
});

test('kubereplay\'s own rules: a second create is a no-op, a scale before any create is skipped, a re-create after a delete scales up again', async () => {
  const dir = scratchDir('capsim-kubereplay-rules-');
  const file = path.join(dir, 'capture.json');
  const dep = (replicas: number) => ({ metadata: { name: 'web', namespace: 'shop' }, spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } } } });
  fs.writeFileSync(file, JSON.stringify({ cluster: 'c', events: [
    { type: 'scale', kind: 'Deployment', key: 'shop/api', replicas: 3, timestamp: '2026-01-05T00:00:00Z' },
    { type: 'create', kind: 'Deployment', key: 'shop/web', deployment: dep(2), timestamp: '2026-01-05T00:01:00Z' },
    { type: 'create', kind: 'Deployment', key: 'shop/web', deployment: dep(9), timestamp: '2026-01-05T00:02:00Z' },
    { type: 'delete', kind: 'Deployment', key: 'shop/web', timestamp: '2026-01-05T00:03:00Z' },
    { type: 'create', kind: 'Deployment', key: 'shop/web', deployment: dep(4), timestamp: '2026-01-05T00:04:00Z' },
  ] }));
  const out = path.join(dir, 'out');
  const r = await importKubereplay({ capture: file, outDir: out, tailSeconds: 600 });
  assert.deepEqual([r.deployments, r.deletes, r.skipped.length], [2, 1, 2]);
  assert.match(r.skipped[0]!, /event 0 \(scale Deployment shop\/api\): no create before it/);
  assert.match(r.skipped[1]!, /event 2 \(create Deployment shop\/web\): already created/);
  const yaml = fs.readFileSync(path.join(out, 'scenario.yaml'), 'utf8');
  // t = 0 is the first event (the skipped scale): web at 60 s to 2, 0 at 180 s, 4 at 240 s.
  assert.match(yaml, /at: 60s, scale: \{target: Deployment\/shop\/web, replicas: 2\}[^]*at: 180s, scale: \{target: Deployment\/shop\/web, replicas: 0\}[^]*at: 240s, scale: \{target: Deployment\/shop\/web, replicas: 4\}/);
  assert.match(yaml, /duration: 840s/); // 240 s + the 600 s tail
  // One manifest for web (and its PDB), not two.
  assert.equal((fs.readFileSync(path.join(out, 'manifests/workloads.yaml'), 'utf8').match(/"kind":"Deployment"/g) ?? []).length, 1);
  const run = await runFile(path.join(out, 'scenario.yaml'));
  // workloads.csv samples each minute: web wants 0 before 60 s, 2 from 60 s, 0 from 180 s, 4 from 240 s.
  const desired = run.csv('workloads.csv').filter((w) => w.workload === 'Deployment/shop/web').map((w) => `${w.t}:${w.replicas_desired}`);
  assert.deepEqual(desired.slice(0, 6), ['0:0', '60:2', '120:2', '180:0', '240:4', '300:4']);
});
