// GPU sharing (issue 20): a node's GPUs tracked one by one, the GpuShare filter's rule (a share
// of a GPU fits only on one single GPU with room; whole GPUs must be wholly free), the GPUs a
// binding gives, and the allocation and fragmentation figures, all computed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RandomStreams } from '../src/engine/random.ts';
import { defaultProfile } from '../src/scheduler/profile.ts';
import { SchedulingAlgorithm } from '../src/scheduler/algorithm.ts';
import { GpuShare, NO_GPUS, NO_SHARE, NO_WHOLE } from '../src/scheduler/plugins/gpuShare.ts';
import { NodeResourcesFit } from '../src/scheduler/plugins/nodeResourcesFit.ts';
import { GPU_MILLI_RESOURCE, GPU_RESOURCE } from '../src/model/gpuDevices.ts';
import type { Node } from '../src/model/node.ts';
import { bind, makeNode, makePod, makeSnapshot } from './support/cluster.ts';
import { runYaml, writeScenario } from './support/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { InputError, formatProblem, type Problem } from '../src/scenario/errors.ts';
import { GPU } from '../src/outputs/csvFiles.ts';
import { FragmentationMeter, nodeFragment } from '../src/record/gpuFragmentation.ts';
import { writeReport } from '../src/report/report.ts';
import { SUMMARY_SHAPE } from '../src/outputs/summaryCheck.ts';

const Mi = 1024 * 1024;
const gpuNode = (name: string, gpus: number): Node => makeNode({ name, cpu: '32', memory: '128Gi', extra: { [GPU_RESOURCE]: gpus } });
const share = (name: string, milli: number) => makePod({ name, cpuMilli: 100, memoryBytes: Mi, extraRequests: { [GPU_MILLI_RESOURCE]: milli } });
const whole = (name: string, n: number) => makePod({ name, cpuMilli: 100, memoryBytes: Mi, extraRequests: { [GPU_RESOURCE]: n } });

/** GpuShare's verdict for the pod on the node, as the scheduler runs it (PreFilter, then Filter). */
function verdict(pod: ReturnType<typeof makePod>, node: Node) {
  const plugin = new GpuShare();
  const state = new Map<string, unknown>();
  if (!plugin.preFilter(state, pod)) return 'skipped';
  return plugin.filter(state, pod, node.info);
}

test('shares go to the tightest GPU that has room, whole GPUs to wholly free ones, by index', () => {
  const node = gpuNode('g4', 4);
  bind(share('a', 300), node); // all free: GPU 0 (lowest index) -> [300, 0, 0, 0]
  bind(share('b', 600), node); // GPU 0 has 700 free, the others 1000: tightest is GPU 0 -> [900, 0, 0, 0]
  bind(share('c', 500), node); // GPU 0 has 100 < 500: GPU 1 -> [900, 500, 0, 0]
  bind(whole('d', 2), node); //   the first two wholly free: GPUs 2, 3 -> [900, 500, 1000, 1000]
  const gpus = node.info.gpus!;
  assert.deepEqual(gpus.used, [900, 500, 1000, 1000]);
  assert.deepEqual(['a', 'b', 'c', 'd'].map((n) => gpus.indicesOf(node.info.pods.find((p) => p.name === n)!)), [[0], [0], [1], [2, 3]]);
  // 600 milli are free in all (100 + 500), but no single GPU has 600: the share does not fit.
  assert.deepEqual(verdict(share('e', 600), node), { plugin: 'GpuShare', reasons: [NO_SHARE], unresolvable: false });
  assert.equal(verdict(share('f', 500), node), null); // GPU 1 has exactly 500
  // NodeResourcesFit counts 4 - 2 = 2 nvidia.com/gpu free and lets a 1-GPU pod pass; GpuShare
  // sees that no GPU is wholly free (GPUs 0 and 1 are shared).
  assert.equal(new NodeResourcesFit().filter(new Map(), whole('g', 1), node.info), null);
  assert.deepEqual(verdict(whole('g', 1), node), { plugin: 'GpuShare', reasons: [NO_WHOLE], unresolvable: false });
  // allocated 900 + 500 + 1000 + 1000 = 3,400 of 4,000; free milli on partly used GPUs: 100 + 500.
  assert.deepEqual(gpus.totals(), { allocated: 3400, fragmented: 600 });
  // Removing b frees its 600 on GPU 0: [300, 500, 1000, 1000], fragmented 700 + 500.
  node.info.removePod(node.info.pods.find((p) => p.name === 'b')!);
  assert.deepEqual(gpus.used, [300, 500, 1000, 1000]);
  assert.deepEqual(gpus.totals(), { allocated: 2800, fragmented: 1200 });
});

test('FGD fragmentation weighs each task of the mix: what it cannot use of a node it fits, all of one it does not', () => {
  const node = gpuNode('g4', 4); // 32 CPU
  bind(share('a', 600), node);
  bind(share('b', 300), node);
  bind(share('c', 500), node);
  bind(whole('d', 1), node); // GPUs used [900, 500, 1000, 0]: free [100, 500, 0, 1000], 1,600 in all
  const gpus = node.info.gpus!;
  const cpuFree = 32_000 - 4 * 100;
  assert.equal(nodeFragment(gpus, cpuFree, { cpuMilli: 100, count: 1, milli: 300 }), 100); // GPU 0's 100 is below 300
  assert.equal(nodeFragment(gpus, cpuFree, { cpuMilli: 100, count: 2, milli: 1000 }), 1600); // 1 wholly free GPU of 2: all
  assert.equal(nodeFragment(gpus, cpuFree, { cpuMilli: 40_000, count: 1, milli: 300 }), 1600); // not enough CPU: all
  // A mix of three 300-milli shares and one 2-GPU pod: 3/4 x 100 + 1/4 x 1,600 = 475, where
  // the simple form counts 600 (100 + 500 on the partly used GPUs).
  const meter = new FragmentationMeter();
  for (const n of ['s1', 's2', 's3']) meter.podCreated(share(n, 300));
  meter.podCreated(whole('w2', 2));
  meter.podCreated(makePod({ name: 'web', cpuMilli: 100 })); // asks no GPU: not in the mix
  assert.equal(meter.measure([node]), 475);
  assert.equal(gpus.totals().fragmented, 600);
});

test('pods asking no GPU skip the filter; a share on a node without GPUs and a wrong ask are unresolvable', () => {
  assert.equal(verdict(makePod({ name: 'web', cpuMilli: 100 }), gpuNode('g1', 1)), 'skipped');
  assert.deepEqual(verdict(share('s', 250), makeNode({ name: 'cpu-only' })), { plugin: 'GpuShare', reasons: [NO_GPUS], unresolvable: true });
  // Too few GPUs for whole ones is NodeResourcesFit's to say (once, as upstream words it).
  assert.equal(verdict(whole('w', 2), gpuNode('g1', 1)), null);
  assert.equal(verdict(whole('w', 1), makeNode({ name: 'cpu-only' })), null);
  assert.deepEqual(new NodeResourcesFit().filter(new Map(), whole('w', 2), gpuNode('g1', 1).info)?.reasons, ['Insufficient nvidia.com/gpu']);
  const tooMuch = verdict(share('big', 1500), gpuNode('g8', 8));
  assert.ok(typeof tooMuch === 'object' && tooMuch !== null && tooMuch.unresolvable);
  assert.match(tooMuch.reasons[0], /alibabacloud\.com\/gpu-milli 1500 is not a share of one GPU .*nvidia\.com\/gpu/);
  const both = makePod({ name: 'both', extraRequests: { [GPU_RESOURCE]: 1, [GPU_MILLI_RESOURCE]: 500 } });
  assert.match((verdict(both, gpuNode('g2', 2)) as { reasons: string[] }).reasons[0], /asks for both/);
});

test('the scheduler places a share only where one GPU has room, not where the free milli only add up', () => {
  // n1: 1 GPU with 600 used (400 free). n2: 2 GPUs with 700 used each (300 + 300 = 600 free).
  const n1 = gpuNode('n1', 1);
  const n2 = gpuNode('n2', 2);
  bind(share('x', 600), n1);
  bind(share('y1', 700), n2);
  bind(share('y2', 700), n2);
  const algorithm = new SchedulingAlgorithm(defaultProfile(), new RandomStreams(1).stream('t'));
  // 500: neither node has one GPU with 500 free, though n2 has 600 free in all.
  const none = algorithm.schedule(share('p500', 500), makeSnapshot([n1, n2]), new Map());
  assert.equal(none.node, null);
  assert.deepEqual([...none.failures.values()].map((f) => f.reasons), [[NO_SHARE], [NO_SHARE]]);
  // 350: only n1's GPU (400 free) has room; n2's GPUs have 300 each.
  const fits = algorithm.schedule(share('p350', 350), makeSnapshot([n1, n2]), new Map());
  assert.equal(fits.node?.node.name, 'n1');
});

/** A bare pod of the run below asking for `ask` (a map of requests, limits the same). */
const gpuPod = (name: string, ask: string) => `
    - apiVersion: v1
      kind: Pod
      metadata: {name: ${name}, namespace: ml}
      spec:
        containers: [{name: c, image: trainer, resources: {requests: {cpu: 100m, memory: 64Mi, ${ask}}, limits: {${ask}}}}]`;

/** The start of the runs below: ten minutes, a sample every five. */
const head = (name: string) => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: ${name}}
spec:
  seed: 1
  duration: 10m
  sampleEvery: 5m
`;

const GPU_RUN = `${head('gpu-share')}  cluster:
    nodePools:
      - name: v100
        capacity: {cpu: "32", memory: 128Gi, nvidia.com/gpu: 4}
        price: {onDemandPerHour: 10}
        labels: {alibabacloud.com/gpu-card-model: V100M16}
        count: 1
  manifests:${gpuPod('a', 'alibabacloud.com/gpu-milli: 600')}${gpuPod('b', 'alibabacloud.com/gpu-milli: 300')}${gpuPod('c', 'alibabacloud.com/gpu-milli: 500')}${gpuPod('d', 'nvidia.com/gpu: 1')}${gpuPod('e', 'nvidia.com/gpu: 2')}
`;

test('a run places shares GPU by GPU, names the GPUs in the Scheduled events, and writes gpu.csv and summary.gpu', async () => {
  const run = await runYaml(GPU_RUN);
  // a 600 -> GPU 0; b 300 -> GPU 0 (400 free, the tightest); c 500 -> GPU 1; d (1 whole) -> GPU 2:
  // [900, 500, 1000, 0]. e asks 2 whole GPUs: 4 - 1 = 3 nvidia.com/gpu are free by count, but only
  // GPU 3 is wholly free, so it waits.
  const placed = Object.fromEntries(run.events('Scheduled').map((e) => [e.object, e.message]));
  assert.deepEqual(placed, {
    'Pod/ml/a': 'Successfully assigned ml/a to v100-001 (GPU 0)',
    'Pod/ml/b': 'Successfully assigned ml/b to v100-001 (GPU 0)',
    'Pod/ml/c': 'Successfully assigned ml/c to v100-001 (GPU 1)',
    'Pod/ml/d': 'Successfully assigned ml/d to v100-001 (GPU 2)',
  });
  assert.match(run.events('FailedScheduling').find((e) => e.object === 'Pod/ml/e')!.message, /1 node\(s\) had too few wholly free GPUs/);
  // allocated 900 + 500 + 1000 = 2,400 of 4,000 = 60%; free 1,600 of which 100 + 500 = 600 on
  // partly used GPUs: 37.5%. The same at every sample (t = 0, 300, 600).
  const rows = run.csv('gpu.csv');
  assert.deepEqual(rows.map((r) => r.t), ['0', '300', '600']);
  assert.deepEqual({ ...rows[1], time: '' }, {
    t: '300', time: '', gpus: '4', gpu_milli_total: '4000', gpu_milli_allocated: '2400', gpu_milli_fragmented: '600', gpu_milli_fragmented_fgd: '600',
    gpu_allocated_pct: '60', gpu_fragmented_pct: '37.5', gpu_fragmented_fgd_pct: '37.5',
  });
  // FGD, the mix a..e one pod each (1/5): free per GPU [100, 500, 0, 1000]. 600 milli: 100 + 500
  // below it; 300: 100; 500: 100; one whole GPU: 100 + 500; two whole GPUs do not fit: all 1,600.
  // (600 + 100 + 100 + 600 + 1600) / 5 = 600, here the same as the simple form.
  assert.deepEqual(run.summary.gpu, { gpusMax: 4, allocatedMeanPct: 60, allocatedMaxPct: 60, fragmentedMeanPct: 37.5, fragmentedMaxPct: 37.5, fgdMeanPct: 37.5, fgdMaxPct: 37.5 });
  assert.deepEqual(Object.keys(run.summary).slice(-3), ['gpu', 'warnings', 'advice']); // before the warnings (e waits); the advice last
});

test('a run without GPUs writes no gpu.csv and no gpu section', async () => {
  const run = await runYaml(GPU_RUN.replace('nvidia.com/gpu: 4', 'example.com/fpga: 1').replace(/  manifests:[\s\S]*$/, ''));
  assert.equal(fs.existsSync(path.join(run.dir, 'gpu.csv')), false);
  assert.equal('gpu' in run.summary, false);
});

test('a share of more than one GPU, or beside whole GPUs, is an input error with the field and a hint', async () => {
  const yaml = GPU_RUN.replace(/  manifests:[\s\S]*$/, `  manifests:${gpuPod('big', 'alibabacloud.com/gpu-milli: 1500')}${gpuPod('both', 'nvidia.com/gpu: 1, alibabacloud.com/gpu-milli: 500')}\n`);
  const problems = await problemsOf(writeScenario(yaml));
  const milli = problems.filter((p) => p.path.endsWith('requests.alibabacloud.com/gpu-milli'));
  assert.equal(milli.length, 2, problems.map(formatProblem).join('\n'));
  assert.match(milli[0].message, /must be a share of one GPU, 1 to 999 .*not 1500/);
  assert.equal(milli[0].hint, 'for whole GPUs ask for nvidia.com/gpu: 2');
  assert.match(milli[1].message, /cannot be asked for beside nvidia\.com\/gpu/);
  assert.ok(milli.every((p) => p.line > 0));
});

async function problemsOf(file: string): Promise<Problem[]> {
  try {
    await loadScenario(file);
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    return error.problems;
  }
  assert.fail('loaded without problems');
}

test('Karpenter provisions GPU nodes for shares, counting 1000 milli per GPU of a type; kube-scheduler places them GPU by GPU', async () => {
  // Three pods of 400 milli, pending at t = 0, on a NodePool of g4dn.xlarge (one T4 GPU each).
  // Karpenter counts 1000 milli per node: two pods (800) on the first NodeClaim, the third on a
  // second. Both nodes Ready 90 s later; kube-scheduler (LeastAllocated) spreads them, each on
  // its node's only GPU, 1,200 milli of 2,000 allocated.
  const yaml = `${head('gpu-share-karpenter')}  karpenter: {startupDelay: 90s}
  manifests:
    - apiVersion: karpenter.sh/v1
      kind: NodePool
      metadata: {name: gpu}
      spec:
        template:
          spec:
            nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
            requirements:
              - {key: node.kubernetes.io/instance-type, operator: In, values: [g4dn.xlarge]}
              - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}
    - apiVersion: karpenter.k8s.aws/v1
      kind: EC2NodeClass
      metadata: {name: default}
      spec:
        amiSelectorTerms: [{alias: al2023@latest}]
        role: KarpenterNodeRole-demo
        subnetSelectorTerms: [{tags: {karpenter.sh/discovery: demo}}]
        securityGroupSelectorTerms: [{tags: {karpenter.sh/discovery: demo}}]${gpuPod('a', 'alibabacloud.com/gpu-milli: 400')}${gpuPod('b', 'alibabacloud.com/gpu-milli: 400')}${gpuPod('c', 'alibabacloud.com/gpu-milli: 400')}
`;
  const run = await runYaml(yaml);
  assert.equal(run.summary.autoscaling.karpenter.nodeClaimsLaunched, 2);
  const scheduled = run.events('Scheduled');
  assert.deepEqual(scheduled.map((e) => e.message.replace(/ to gpu-[a-z0-9]{5}/, ' to <node>')), [
    'Successfully assigned ml/a to <node> (GPU 0)', 'Successfully assigned ml/b to <node> (GPU 0)', 'Successfully assigned ml/c to <node> (GPU 0)',
  ]);
  assert.equal(new Set(scheduled.map((e) => e.node)).size, 2);
  const at300 = run.csv('gpu.csv').find((r) => r.t === '300')!;
  assert.deepEqual([at300.gpus, at300.gpu_milli_allocated, at300.gpu_allocated_pct], ['2', '1200', '60']);
  assert.equal(run.summary.pods.unschedulable, 0);
});

test('docs/outputs.md names gpu.csv, its columns and the summary gpu keys', () => {
  const doc = fs.readFileSync('docs/outputs.md', 'utf8');
  for (const name of ['gpu.csv', ...GPU.columns, ...Object.keys(SUMMARY_SHAPE.gpu[1]).map((k) => `gpu.${k}`)]) {
    assert.ok(doc.includes(`\`${name}\``), `docs/outputs.md does not name ${name}`);
  }
});

test('the report draws the GPU chart for a run with GPUs, and none without', async () => {
  const withGpus = await runYaml(GPU_RUN);
  const written = await writeReport(withGpus.dir, ['html', 'svg']);
  assert.ok(written.charts.some((f) => f.endsWith('gpu.svg')), written.charts.join(', '));
  const html = fs.readFileSync(path.join(withGpus.dir, 'report.html'), 'utf8');
  assert.match(html, /60% allocated on average \(peak 60%\), 37\.5% of the idle GPU capacity fragmented/);
  const without = await runYaml(GPU_RUN.replace('nvidia.com/gpu: 4', 'example.com/fpga: 1').replace(/  manifests:[\s\S]*$/, ''));
  assert.ok(!(await writeReport(without.dir, ['svg'])).charts.some((f) => f.endsWith('gpu.svg')));
});

test('the cluster autoscaler simulates GpuShare: five 400-milli shares need two 2-GPU nodes, not one', async () => {
  // A 2-GPU node holds four 400-milli shares (two per GPU: 800 each); the fifth needs another
  // node. Counted together (2,000 milli for 5 x 400 = 2,000) one node would seem enough.
  const yaml = `${head('gpu-share-ca')}  cluster:
    nodePools:
      - name: t4
        capacity: {cpu: "32", memory: 128Gi, nvidia.com/gpu: 2}
        price: {onDemandPerHour: 2}
        count: 0
        min: 0
        max: 4
        provisioningDelay: 60s
    autoscaler: {scanInterval: 10s}
  manifests:${['a', 'b', 'c', 'd', 'e'].map((n) => gpuPod(n, 'alibabacloud.com/gpu-milli: 400')).join('')}
`;
  const run = await runYaml(yaml);
  assert.equal(run.summary.nodes.max, 2);
  assert.equal(run.summary.pods.unschedulable, 0);
  const at600 = run.csv('gpu.csv').find((r) => r.t === '600')!;
  assert.deepEqual([at600.gpus, at600.gpu_milli_allocated], ['4', '2000']);
});
