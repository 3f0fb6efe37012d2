// capsim import alibaba-gpu-2023 (src/import/alibabaGpu.ts) on the real trace in
// ../shared/data/alibaba-gpu-v2023 (counts by hand from its CSV files), on a damaged copy
// (file:line:column errors, nothing written), and its readers against garbled input (fuzz).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { importAlibabaGpu, readNodes, readPods, nodePools, NODE_FILE, DEFAULT_POD_FILE } from '../src/import/alibabaGpu.ts';
import { InputError, type Problem } from '../src/scenario/errors.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { capsim, runFile, scratchDir } from './support/run.ts';

const TRACE = path.resolve(import.meta.dirname, '../../shared/data/alibaba-gpu-v2023');
const haveTrace = fs.existsSync(path.join(TRACE, NODE_FILE));
const skip = haveTrace ? false : `the trace is not at ${TRACE}`;

test('the real trace: 1,523 nodes in 27 pools, 8,152 pods split as the CSV counts them', { skip }, async () => {
  const out = path.join(scratchDir('capsim-alibaba-'), 'alibaba');
  const r = await importAlibabaGpu({ traceDir: TRACE, outDir: out });
  assert.equal(r.nodes, 1523); // wc -l openb_node_list_all_node.csv: 1,524 lines with the header
  assert.equal(r.pools.length, 27); // distinct (cpu_milli, memory_mib, gpu, model)
  const g2 = r.pools.find((p) => p.model === 'G2' && p.gpus === 8)!;
  assert.deepEqual([g2.name, g2.count, g2.cpuMilli, g2.memoryMib], ['g2x8-96c-384g', 549, 96000, 393216]); // the largest group
  assert.equal(r.pools.reduce((s, p) => s + p.count, 0), 1523);
  assert.equal(r.pods, 8152);
  assert.equal(r.cpuOnly, 1088); // num_gpu 0
  assert.equal(r.wholeGpu, 3986); // num_gpu 1 with gpu_milli 1000 (3,911), num_gpu 2, 4, 8 (16 + 15 + 44)
  assert.equal(r.shared, 3078); // num_gpu 1 with gpu_milli < 1000
  assert.equal(r.unscheduled, 897); // pod_phase Pending: no scheduled_time
  assert.equal(r.durationSeconds, 3585 * 3600); // the last deletion_time, 12,902,960 s, rounded up to the hour
  // A sweep over the creation and deletion times (a deletion before a creation at the same second):
  // at most 56 pods alive at once, holding 65,590 GPU milli of the 6,212 GPUs' 6,212,000.
  assert.deepEqual([r.peakPods, r.peakGpuMilli, r.totalGpus], [56, 65590, 6212]);
  const csv = fs.readFileSync(path.join(out, 'traces/pods.csv'), 'utf8').split('\n');
  assert.equal(csv.length, 8152 + 2); // the header, the pods, the last newline
  // openb-pod-0001,6000,12288,1,460,,LS,Running,427061,12902960,427061: a share of 460 milli.
  assert.equal(csv[2], 'openb-pod-0001,default,427061,12902960,427061,6000m,12288Mi,,460,6000m,12288Mi,,460,');
  const scenario = await loadScenario(path.join(out, 'scenario.yaml'));
  assert.equal(scenario.durationMs, 3585 * 3600 * 1000);
  const report = fs.readFileSync(path.join(out, 'import-report.md'), 'utf8');
  assert.match(report, /1,523 nodes\*\* in \*\*27 node pools/);
  assert.match(report, /qos` \(LS 4,647, BE 3,398, Burstable 100, Guaranteed 7\) is \*\*not mapped\*\*/);
});

test('the real trace replays end to end: every pod bound at once, the trace\'s own delays beside', { skip }, async () => {
  const out = path.join(scratchDir('capsim-alibaba-run-'), 'alibaba');
  await importAlibabaGpu({ traceDir: TRACE, outDir: out });
  // Samples every 6 h instead of 10 min: the same pods and placements, a third of the wall time.
  const run = await runFile(path.join(out, 'scenario.yaml'), { set: ['spec.sampleEvery=6h'] });
  const t = run.summary.traces!;
  // 8,152 rows; openb-pod-7285 is deleted the second it is created (12774042 both): never bound.
  assert.deepEqual([t.pods, t.failedCreates, t.scheduled, t.neverScheduled], [8152, 0, 8151, 1]);
  // At most 56 pods at once on 1,523 nodes: nothing waits.
  assert.deepEqual([t.queueingDelayP50Seconds, t.queueingDelayP95Seconds, t.queueingDelayMaxSeconds], [0, 0, 0]);
  // The trace's own: scheduled_time - creation_time over its 7,255 scheduled rows (by hand from the CSV).
  assert.deepEqual([t.traceQueueingDelayP50Seconds, t.traceQueueingDelayP95Seconds, t.traceQueueingDelayMaxSeconds], [2, 241, 14330]);
  // 8,152 - 897 rows without a scheduled_time: all bound by the replay, at or before the trace's time.
  assert.deepEqual([t.comparedPods, t.traceScheduledNeverBound, t.traceScheduledPendingAtEnd, t.scheduledDiffMaxSeconds], [7255, 0, 0, 0]);
  assert.equal(run.summary.gpu!.gpusMax, 6212);
});

test('the CLI writes the directory and says what it imported', { skip }, () => {
  const out = path.join(scratchDir('capsim-alibaba-cli-'), 'replay');
  const r = capsim('import', 'alibaba-gpu-2023', TRACE, '--out', out, '--pods', 'openb_pod_list_cpu050.csv');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Imported 1,523 nodes \(27 node pools, fixed counts, prices 0\) and 7,439 pods/); // wc -l: 7,440 lines
  assert.ok(fs.existsSync(path.join(out, 'traces/pods.csv')));
});

function damagedCopy(edit: (lines: string[]) => void): string {
  const dir = scratchDir('capsim-alibaba-bad-');
  const nodes = ['sn,cpu_milli,memory_mib,gpu,model', 'n-0,32000,262144,0,', 'n-1,96000,786432,8,V100M32'];
  fs.writeFileSync(path.join(dir, NODE_FILE), nodes.join('\n') + '\n');
  const pods = [
    'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time',
    'p-0,12000,16384,1,1000,,LS,Running,0,100,0',
    'p-1,6000,12288,1,460,V100M16|V100M32,LS,Running,10,200,12',
    'p-2,4000,8192,0,0,,BE,Pending,20,300,',
  ];
  edit(pods);
  fs.writeFileSync(path.join(dir, DEFAULT_POD_FILE), pods.join('\n') + '\n');
  return dir;
}

test('a small trace: the share, the model affinity and the pending row as the trace format writes them', async () => {
  const dir = damagedCopy(() => {});
  const out = path.join(dir, 'out');
  const r = await importAlibabaGpu({ traceDir: dir, outDir: out });
  assert.deepEqual([r.nodes, r.pools.length, r.pods, r.cpuOnly, r.wholeGpu, r.shared, r.withModel, r.unscheduled], [2, 2, 3, 1, 1, 1, 1, 1]);
  const lines = fs.readFileSync(path.join(out, 'traces/pods.csv'), 'utf8').trim().split('\n');
  assert.deepEqual(lines.slice(1), [
    'p-0,default,0,100,0,12000m,16384Mi,1,,12000m,16384Mi,1,,',
    'p-1,default,10,200,12,6000m,12288Mi,,460,6000m,12288Mi,,460,"alibabacloud.com/gpu-card-model in (V100M16,V100M32)"',
    'p-2,default,20,300,,4000m,8192Mi,,,4000m,8192Mi,,,',
  ]);
  const yaml = fs.readFileSync(path.join(out, 'scenario.yaml'), 'utf8');
  assert.match(yaml, /- name: v100m32x8-96c-768g\n {8}capacity: \{cpu: "96", memory: 786432Mi, pods: "1001", nvidia.com\/gpu: "8"\}\n {8}count: 1\n/);
  assert.match(yaml, /labels: \{alibabacloud.com\/gpu-card-model: V100M32\}/);
  assert.equal((await loadScenario(path.join(out, 'scenario.yaml'))).durationMs, 3600_000); // at least an hour
});

test('--sequential: one pod a second in creation order, never deleted, no trace times to compare', async () => {
  const dir = damagedCopy(() => {});
  const out = path.join(dir, 'seq');
  const r = await importAlibabaGpu({ traceDir: dir, outDir: out, sequential: true });
  const lines = fs.readFileSync(path.join(out, 'traces/pods.csv'), 'utf8').trim().split('\n');
  assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 5).join(',')), ['p-0,default,0,,', 'p-1,default,1,,', 'p-2,default,2,,']);
  // All three alive at once: 1000 + 460 milli.
  assert.deepEqual([r.sequential, r.peakPods, r.peakGpuMilli, r.durationSeconds], [true, 3, 1460, 3600]);
  assert.match(fs.readFileSync(path.join(out, 'scenario.yaml'), 'utf8'), /sampleEvery: 1m/);
  assert.match(fs.readFileSync(path.join(out, 'import-report.md'), 'utf8'), /submitted one a second in the trace's creation order and never deleted/);
});

test('a damaged trace: every bad cell with file:line:column and its column, nothing written', async () => {
  const dir = damagedCopy((l) => {
    l[1] = 'p-0,12000,16384,two,1000,,LS,Running,0,100,0'; // line 2: num_gpu
    l[2] = 'p-1,6000,12288,2,460,,LS,Running,10,200,12'; // line 3: a share of two GPUs
    l[3] = 'p-2,4000,8192,0,0,,BE,Pending,20,5,'; // line 4: deleted before it was created
  });
  const out = path.join(dir, 'out');
  await assert.rejects(importAlibabaGpu({ traceDir: dir, outDir: out }), (e: unknown) => {
    assert.ok(e instanceof InputError);
    const at = e.problems.map((p: Problem) => `${path.basename(p.file)}:${p.line}:${p.column} ${p.path}`);
    assert.deepEqual(at, [`${DEFAULT_POD_FILE}:2:17 num_gpu`, `${DEFAULT_POD_FILE}:3:18 gpu_milli`, `${DEFAULT_POD_FILE}:4:34 deletion_time`]);
    assert.match(e.problems[0]!.message, /"two" is not a whole number/);
    assert.match(e.problems[0]!.hint!, /GPUs/);
    return true;
  });
  assert.equal(fs.existsSync(out), false);
  // The CLI: exit 2, the same positions.
  const r = capsim('import', 'alibaba-gpu-2023', dir, '--out', out);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${DEFAULT_POD_FILE}:2:17: num_gpu: "two" is not a whole number`));
  assert.equal(fs.existsSync(out), false);
});

test('a missing column or file is named', () => {
  const dir = scratchDir('capsim-alibaba-missing-');
  fs.writeFileSync(path.join(dir, NODE_FILE), 'sn,cpu_milli,gpu,model\nn-0,32000,0,\n');
  const problems: Problem[] = [];
  readNodes(path.join(dir, NODE_FILE), problems);
  readPods(path.join(dir, DEFAULT_POD_FILE), problems);
  assert.equal(problems.length, 2);
  assert.match(problems[0]!.message, /the header lacks "memory_mib"/);
  assert.equal(problems[1]!.message, 'does not exist');
});

test('pools group identical nodes and get distinct names', () => {
  const n = (cpuMilli: number, gpus: number, model: string) => ({ line: 1, sn: 'x', cpuMilli, memoryMib: 1024, gpus, model });
  const pools = nodePools([n(8000, 1, 'T4'), n(8000, 1, 'T4'), n(8000, 0, ''), n(2500, 0, '')]);
  assert.deepEqual(pools.map((p) => [p.name, p.count]), [['t4x1-8c-1g', 2], ['cpu-8c-1g', 1], ['cpu-2p5c-1g', 1]]);
});

test('fuzz: the pod reader never throws; a garbled row is a problem on its own line, never a pod', () => {
  const dir = scratchDir('capsim-alibaba-fuzz-');
  const header = 'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time';
  const good = (i: number) => `p-${i},4000,8192,1,${i % 2 ? 1000 : 300},,LS,Running,${i * 10},${i * 10 + 50},${i * 10 + 1}`;
  let k = 0;
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(7), fc.string({ maxLength: 12 }), fc.nat(200)), { maxLength: 6 }), (edits) => {
      const lines = [header, ...Array.from({ length: 8 }, (_, i) => good(i))];
      const garbled = new Set<number>();
      for (const [row, junk, at] of edits) {
        const i = row + 1;
        const s = lines[i]!;
        const pos = at % (s.length + 1);
        lines[i] = s.slice(0, pos) + junk + s.slice(pos);
        if (junk !== '') garbled.add(i + 1);
      }
      const file = path.join(dir, `p${k++}.csv`);
      fs.writeFileSync(file, lines.join('\n') + '\n');
      const problems: Problem[] = [];
      const pods = readPods(file, problems);
      for (const p of problems) {
        assert.ok(p.line >= 0 && p.line <= lines.length, `line ${p.line}`);
        assert.ok(p.message.length > 0);
      }
      const bad = new Set(problems.map((p) => p.line));
      for (const pod of pods) assert.ok(!bad.has(pod.line), `line ${pod.line} is both a pod and a problem`);
      // An untouched row is a pod.
      for (let line = 2; line <= lines.length; line++) {
        if (!garbled.has(line) && !bad.has(line)) assert.ok(pods.some((p) => p.line === line), `line ${line} lost`);
      }
      for (const pod of pods) assert.ok(Number.isSafeInteger(pod.created) && pod.gpuMilli >= 0 && pod.gpuMilli <= 1000);
    }),
    { numRuns: 200, seed: 20 },
  );
});
