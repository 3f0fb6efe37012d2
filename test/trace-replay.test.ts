// spec.traces (issue 20): pods created and deleted at a trace's times, read a chunk of simulated
// time ahead; pods.csv and summary.traces; every bad row a file:line:column problem naming its
// column, before the run (load reads the whole file) and when the run reaches it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../src/scenario/load.ts';
import { runScenario } from '../src/run.ts';
import { InputError } from '../src/scenario/errors.ts';
import { PodTraceReader, checkPodTrace, splitCsvLine } from '../src/workload/podTrace.ts';
import { World } from '../src/world.ts';
import { capsim, loadProblems, runFile, scratchDir } from './support/run.ts';

/** One node with 8 CPUs and 1 GPU (tainted), and a trace beside the scenario. */
function scenarioWith(trace: string, opts: { name?: string; duration?: string } = {}): string {
  const dir = scratchDir('capsim-trace-');
  const name = opts.name ?? 'pods.csv';
  fs.writeFileSync(path.join(dir, name), trace);
  const file = path.join(dir, 'scenario.yaml');
  fs.writeFileSync(file, `apiVersion: capsim/v1
kind: Scenario
metadata: {name: traced}
spec:
  duration: ${opts.duration ?? '2h'}
  sampleEvery: 5m
  cluster:
    nodePools:
      - name: gpu
        capacity: {cpu: "8", memory: 32Gi, pods: "110", nvidia.com/gpu: "1"}
        price: {onDemandPerHour: 3}
        count: 1
        labels: {alibabacloud.com/gpu-card-model: V100M16}
        taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
  traces:
    - file: ${name}
`);
  return file;
}

const GPU = 'nvidia.com/gpu=present:NoSchedule';

test('a row becomes a pod with its requests, limits, QoS, priority, tolerations and node affinity', async () => {
  const file = scenarioWith([
    'name,namespace,created,requests.cpu,requests.memory,limits.cpu,limits.memory,limits.nvidia.com/gpu,priority,tolerations,node_affinity,node_selector',
    `train,ml,0,2,4Gi,2,4Gi,1,1000,${GPU},"alibabacloud.com/gpu-card-model in (V100M16,V100M32)",alibabacloud.com/gpu-card-model=V100M16`,
    'web,default,30,500m,,,,,,,,',
  ].join('\n'));
  const w = new World(await loadScenario(file));
  w.setup();
  await w.traces!.prefetch(60_000);
  w.sim.runUntil(60_000);
  const train = w.api.podByKey('ml', 'train')!;
  assert.equal(train.qos, 'Guaranteed'); // every request equals its limit (the GPU's request follows its limit)
  assert.deepEqual(train.spec.containers[0].requests, { cpu: 2000, memory: 4 * 2 ** 30, 'nvidia.com/gpu': 1 });
  assert.equal(train.priority, 1000);
  assert.deepEqual(train.spec.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }]);
  assert.deepEqual(train.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [{ matchExpressions: [{ key: 'alibabacloud.com/gpu-card-model', operator: 'In', values: ['V100M16', 'V100M32'] }] }]);
  assert.deepEqual(train.spec.nodeSelector, { 'alibabacloud.com/gpu-card-model': 'V100M16' });
  assert.equal(train.node?.name, 'gpu-001');
  const web = w.api.podByKey('default', 'web')!;
  assert.equal(web.qos, 'Burstable'); // a cpu request, no limits
  assert.equal(web.createdMs, 30_000);
  assert.equal(web.node, null); // the GPU node's taint is not tolerated
});

test('pods.csv: a pod waits for the GPU a completing pod frees; the trace\'s own scheduled time beside it', async () => {
  // One GPU. a: created 0, runs 600 s. b: created 60, needs the GPU, bound when a completes at
  // 600 (delay 540; the trace had it at 100: 40). c: created 120, no GPU, deleted at 300.
  const file = scenarioWith([
    'name,created,deleted,duration,scheduled,requests.cpu,requests.nvidia.com/gpu,tolerations',
    `a,0,,600,0,1,1,${GPU}`,
    `b,60,,600,100,1,1,${GPU}`,
    `c,120,300,,,1,,${GPU}`,
  ].join('\n'));
  const out = await runFile(file);
  const rows = out.csv('pods.csv');
  const byPod = Object.fromEntries(rows.map((r) => [r.pod, r]));
  assert.deepEqual(byPod['default/a'], { pod: 'default/a', created_t: '0', scheduled_t: '0', node: 'gpu-001', queueing_delay_s: '0', finished_t: '600', deleted_t: '', trace_scheduled_t: '0', trace_queueing_delay_s: '0', outcome: 'Completed' });
  assert.deepEqual(byPod['default/b'], { pod: 'default/b', created_t: '60', scheduled_t: '600', node: 'gpu-001', queueing_delay_s: '540', finished_t: '1200', deleted_t: '', trace_scheduled_t: '100', trace_queueing_delay_s: '40', outcome: 'Completed' });
  assert.deepEqual(byPod['default/c'], { pod: 'default/c', created_t: '120', scheduled_t: '120', node: 'gpu-001', queueing_delay_s: '0', finished_t: '', deleted_t: '300', trace_scheduled_t: '', trace_queueing_delay_s: '', outcome: 'Deleted' });
  // Rows in the order the pods went: c (deleted at 300, gone after its 30 s grace), a, b.
  assert.deepEqual(rows.map((r) => r.pod), ['default/c', 'default/a', 'default/b']);
  // Delays 0, 540, 0: p50 by nearest rank is the 2nd of 3 sorted (0), p95 the 3rd (540).
  assert.deepEqual(out.summary.traces, {
    pods: 3, failedCreates: 0, scheduled: 3, neverScheduled: 0,
    queueingDelayP50Seconds: 0, queueingDelayP95Seconds: 540, queueingDelayMaxSeconds: 540,
    // The trace's own: a 0, b 40 (c has none): p50 = 1st of 2 (0), p95 = 2nd (40).
    traceQueueingDelayP50Seconds: 0, traceQueueingDelayP95Seconds: 40, traceQueueingDelayMaxSeconds: 40,
    // Replay minus trace over a and b (both scheduled in both): 0 - 0 and 600 - 100: [0, 500].
    comparedPods: 2, scheduledDiffP50Seconds: 0, scheduledDiffP95Seconds: 500, scheduledDiffMaxSeconds: 500,
    traceScheduledNeverBound: 0, traceScheduledPendingAtEnd: 0,
  });
  assert.equal(out.events('Killing').length, 1);
  // summary.traces comes after autoscaling (and before warnings, when there are any).
  const keys = Object.keys(out.summary);
  assert.equal(keys[keys.indexOf('autoscaling') + 1], 'traces');
});

test('JSON Lines: the same columns as keys; a pod never bound is counted and has empty cells', async () => {
  const file = scenarioWith([
    '{"name": "big", "created": "2026-01-05T00:10:00Z", "requests.cpu": "64"}',
    '{"name": "small", "created": 900, "requests.cpu": 1, "tolerations": "' + GPU + '"}',
  ].join('\n'), { name: 'pods.jsonl' });
  const out = await runFile(file);
  const rows = out.csv('pods.csv');
  // Both still there at the end: written then, in order of creation. "big" asks for 64 CPUs of 8.
  assert.deepEqual(rows.map((r) => [r.pod, r.created_t, r.scheduled_t, r.queueing_delay_s, r.outcome]), [['default/big', '600', '', '', 'Pending'], ['default/small', '900', '900', '0', 'Running']]);
  assert.equal(out.summary.traces.neverScheduled, 1);
  assert.equal(out.summary.traces.queueingDelayMaxSeconds, 0);
});

test('bad rows: every one reported with file:line:column, its column and a hint, before anything runs', async () => {
  const file = scenarioWith([
    'name,created,requests.cpu,priority,tolerations,node_affinity',
    'ok,0,1,,,',
    'Bad_Name,10,1,,,',
    'p3,yesterday,1,,,',
    'p4,30,lots,,,',
    'p5,40,1,high,,',
    'p6,50,1,,gpu:Sometimes,',
    'p7,60,1,,,"gpu in ()"',
    'p8,70,1,,,',
    'p9,5,1,,,',
  ].join('\n'));
  const problems = await loadProblems(file);
  const shown = problems.map((p) => `${path.basename(p.file)}:${p.line}:${p.column} ${p.path}: ${p.message}`);
  assert.deepEqual(shown, [
    'pods.csv:3:1 spec.traces[0].file: column "name": pod name "Bad_Name" is not a valid name',
    'pods.csv:4:4 spec.traces[0].file: column "created": time "yesterday" in column "created" is neither an ISO-8601 timestamp nor a number of seconds',
    'pods.csv:5:7 spec.traces[0].file: column "requests.cpu": lots in column "requests.cpu" is not a quantity',
    'pods.csv:6:9 spec.traces[0].file: column "priority": priority "high" is not a 32-bit integer',
    'pods.csv:7:10 spec.traces[0].file: column "tolerations": "gpu:Sometimes" in column "tolerations" has effect "Sometimes"; effects are NoSchedule, PreferNoSchedule, NoExecute',
    'pods.csv:8:11 spec.traces[0].file: column "node_affinity": "gpu in ()" in column "node_affinity" lists no values for in',
    'pods.csv:10:4 spec.traces[0].file: column "created": created 5 is earlier than the row on line 9',
  ]);
  assert.ok(problems.every((p) => p.hint), 'every problem has a hint');
});

test('a header with an unknown or missing column is one problem, with the name it probably meant', async () => {
  const misspelt = await loadProblems(scenarioWith('name,craeted,cpu\np,0,1\n'));
  assert.equal(misspelt.length, 1);
  assert.match(misspelt[0].message, /unknown column "craeted"/);
  assert.match(misspelt[0].hint!, /did you mean "created"/);
  assert.equal(misspelt[0].line, 1);
  assert.equal(misspelt[0].column, 6);
  const resource = await loadProblems(scenarioWith('name,created,cpu\np,0,1\n'));
  assert.match(resource[0].hint!, /requests\.cpu/);
  const missing = await loadProblems(scenarioWith('name;created\n'));
  assert.match(missing[0].message, /unknown column|no column "created"/);
  const empty = await loadProblems(scenarioWith(''));
  assert.match(empty[0].message, /empty/);
  const json = await loadProblems(scenarioWith('[{"name": "p", "created": 0}]\n', { name: 'pods.json' }));
  assert.match(json[0].message, /is \.json: a pod trace is CSV, or JSON Lines named \.jsonl or \.ndjson/);
  const missingFile = scenarioWith('name,created\np,0\n');
  fs.rmSync(path.join(path.dirname(missingFile), 'pods.csv'));
  const notFound = await loadProblems(missingFile);
  assert.deepEqual([notFound[0].path, notFound[0].message], ['spec.traces[0].file', 'trace file not found: pods.csv']);
  const headerOnly = await loadProblems(scenarioWith('name,created\n'));
  assert.equal(headerOnly.length, 1);
  assert.match(headerOnly[0].message, /has no rows/);
});

test('the CLI: validate counts the trace\'s pods, the size estimate has them, run lists pods.csv', () => {
  const v = capsim('validate', 'scenarios/trace-replay.yaml');
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^ok: trace-replay: 6h, 3 node pool\(s\), no objects, 0 scripted event\(s\), 10 pod\(s\) from 1 trace\(s\)\n/);
  assert.match(v.stdout, /\(10 created\)/); // scenarios/trace-replay/pods.csv has 10 rows
  const out = path.join(scratchDir('capsim-trace-'), 'out');
  const r = capsim('run', 'scenarios/trace-replay.yaml', '--out', out, '--format', 'none');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^results +.*\(summary\.json, timeseries\.csv, .*events\.csv, recommendations\.csv, pods\.csv/m);
});

test('the CLI: validate and run exit 2 on a bad row and write nothing', () => {
  const file = scenarioWith('name,created,requests.cpu\np1,0,1\np2,10,-1\n');
  const v = capsim('validate', file);
  assert.equal(v.code, 2, v.stderr);
  assert.match(v.stderr, /pods\.csv:3:7: spec\.traces\[0\]\.file: column "requests\.cpu": -1 in column "requests\.cpu" is negative\n\s+hint: /);
  const out = path.join(path.dirname(file), 'out');
  const r = capsim('run', file, '--out', out, '--format', 'none');
  assert.equal(r.code, 2, r.stderr);
  assert.equal(fs.existsSync(out), false);
});

test('a bad row the run reaches (the file changed after it was checked) stops it: InputError at its line, nothing written', async () => {
  const file = scenarioWith('name,created,requests.cpu\np1,0,1\np2,4000,1\n');
  const scenario = await loadScenario(file);
  fs.writeFileSync(path.join(path.dirname(file), 'pods.csv'), 'name,created,requests.cpu\np1,0,1\np2,4000,1x\n');
  const out = path.join(path.dirname(file), 'out');
  await assert.rejects(runScenario(scenario, { outDir: out }), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.deepEqual([error.problems[0].line, error.problems[0].column, error.problems[0].path], [3, 9, 'requests.cpu']);
    return true;
  });
  assert.equal(fs.existsSync(out), false);
  assert.deepEqual(fs.readdirSync(path.dirname(file)).sort(), ['pods.csv', 'scenario.yaml']);
});

test('streamed: a 1,000,000-row trace is checked a line at a time, and the replay reads only as far as the clock', async () => {
  const dir = scratchDir('capsim-trace-big-');
  const file = path.join(dir, 'pods.csv');
  const fd = fs.openSync(file, 'w');
  let text = 'name,created,duration,requests.cpu,requests.memory\n';
  for (let i = 0; i < 1_000_000; i++) {
    text += `p-${i},${i},10,100m,128Mi\n`;
    if (text.length > 1 << 20) {
      fs.writeSync(fd, text);
      text = '';
    }
  }
  fs.writeSync(fd, text);
  fs.closeSync(fd);
  const rssBefore = process.memoryUsage().rss;
  const check = await checkPodTrace(file, 0, 3_600_000);
  assert.deepEqual({ rows: check.rows, afterEnd: check.afterEnd, problems: check.problems }, { rows: 1_000_000, afterEnd: 1_000_000 - 3601, problems: [] });
  // The file is 38 MB; read whole it would hold that and a million pods (some 300 bytes each, over
  // 300 MB). A line at a time, what grows is garbage not yet collected.
  assert.ok(process.memoryUsage().rss - rssBefore < 150e6, `rss grew ${(process.memoryUsage().rss - rssBefore) / 1e6} MB`);

  // One row a second: after the clock's first hour, 3,601 rows (t = 0..3600) and the header are read.
  const reader = new PodTraceReader(file, 0);
  let rows = 0;
  for (let next = await reader.next(); next !== null && 'pod' in next && next.pod.createdMs <= 3_600_000; next = await reader.next()) rows++;
  reader.done();
  assert.equal(rows, 3601);
});

test('splitCsvLine: quoted fields, doubled quotes, columns where fields start', () => {
  assert.deepEqual(splitCsvLine('a,"b,c",,"say ""hi"""'), { fields: ['a', 'b,c', '', 'say "hi"'], starts: [1, 3, 9, 10] });
  assert.deepEqual(splitCsvLine('a,"open'), { problem: 'a quoted field is not closed on its line', column: 3 });
  assert.deepEqual(splitCsvLine('"a"b'), { problem: 'text after a closing quote', column: 4 });
});

test('with the cluster autoscaler, a trace warns that its bare pods block scale-down (trace-pods-bare)', async () => {
  const file = scenarioWith('name,created,duration,requests.cpu\np,0,60,1\n');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('        count: 1\n', '        count: 1\n        min: 1\n        max: 3\n').replace('  traces:', '    autoscaler: {}\n  traces:'));
  const out = await runFile(file);
  const w = out.summary.warnings.find((x: { code: string }) => x.code === 'trace-pods-bare');
  assert.deepEqual(w.objects, ['Trace/-/pods.csv']);
  assert.match(w.message, /removes no node while one of them runs there/);
  // Without the autoscaler, no such warning (the first test's scenario).
  const plain = await runFile(scenarioWith('name,created,duration,requests.cpu\np,0,60,1\n'));
  assert.equal((plain.summary.warnings ?? []).some((x: { code: string }) => x.code === 'trace-pods-bare'), false);
});
