// scenarios/karpenter-nodepools.yaml through the CLI (`capsim run`), as a user runs it: a cluster
// whose only capacity is Karpenter's NodePools. Figures worked from the catalog: web 3 × (500m,
// 512Mi) -> general c6i.large on-demand at 1s ($0.085/h; AWS has no catalog spot price);
// api-arm 2 × (1 CPU, 2Gi) at 5m -> graviton c6g.xlarge at 301s ($0.136/h: c6g.large's 1930m
// cannot hold 2 CPU); batch 6 × (2 CPU, 4Gi) at 10m -> general c6i.4xlarge at 601s ($0.68/h: 12
// CPU, 24Gi; c6i.2xlarge has 7910m). Every node Ready 90s after launch. Disruption (general's
// consolidateAfter 1m): at 760s (the batch pods' last event 691s + 1m, on the 10 s poll grid)
// single-node consolidation deletes the c6i.large (web's 1500m fits the c6i.4xlarge; the
// c6i.4xlarge itself has no cheaper replacement), validated at 775s, removed at 805s after the
// pods' 30s grace; batch goes to 0 at 45m (2700s), and at 2765s the c6i.4xlarge holding only web
// is replaced by a c6i.large ($0.085 < $0.68), launched at 2780s after validation, Ready at
// 2870s, when the c6i.4xlarge is terminated (removed 2900s). graviton's minValues 2 on
// instance-family leaves no cheaper replacement (Unconsolidatable "Filtering by price").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { capsim, scratchDir } from './support/run.ts';
import { splitCsvLine } from '../src/outputs/csvCells.ts';

function rows(dir: string, file: string): Record<string, string>[] {
  const [head, ...lines] = fs.readFileSync(path.join(dir, file), 'utf8').trim().split('\n');
  const cols = splitCsvLine(head!);
  return lines.map((l) => Object.fromEntries(splitCsvLine(l).map((c, i) => [cols[i], c])));
}

test('capsim run scenarios/karpenter-nodepools.yaml: four NodeClaims, two consolidated, their cost, and the same bytes twice', () => {
  const a = path.join(scratchDir(), 'a');
  const b = path.join(scratchDir(), 'b');
  for (const out of [a, b]) {
    const r = capsim('run', 'scenarios/karpenter-nodepools.yaml', '--out', out, '--format', 'none');
    assert.equal(r.code, 0, r.stderr);
  }
  const nodes = rows(a, 'nodes.csv').map((n) => [n.nodepool, n.instance_type, n.capacity_type, n.created_t, n.removed_t, n.price_usd_per_hour, n.cost_usd, n.ready_seconds]);
  assert.deepEqual(nodes, [
    ['general', 'c6i.large', 'on-demand', '1', '805', '0.085', '0.018983', '714'], // 804 s x $0.085/h
    ['graviton', 'c6g.xlarge', 'on-demand', '301', '', '0.136', '0.124629', '3209'], // 3299 s x $0.136/h
    ['general', 'c6i.4xlarge', 'on-demand', '601', '2900', '0.68', '0.434256', '2209'], // 2299 s x $0.68/h
    ['general', 'c6i.large', 'on-demand', '2780', '', '0.085', '0.019361', '730'], // 820 s x $0.085/h
  ]);
  assert.ok(rows(a, 'nodes.csv').every((n) => n.nodeclaim === n.node && /^(general|graviton)-[a-z0-9]{5}$/.test(n.node!)));
  const summary = JSON.parse(fs.readFileSync(path.join(a, 'summary.json'), 'utf8'));
  assert.equal(summary.cost.totalUsd, 0.597229);
  assert.deepEqual(summary.cost.byPool, { general: 0.4726, graviton: 0.124629 });
  const k = summary.autoscaling.karpenter;
  // $0.136 (graviton) + $0.085 (general's c6i.large replacement) an hour at the end
  assert.deepEqual([k.nodeClaimsLaunched, k.launchedByNodePool, k.nodeClaimsAtEnd, k.usdPerHourAtEnd, k.podsProvisionable, k.podsBound, k.meanPendingSeconds, k.maxPendingSeconds],
    [4, { general: 3, graviton: 1 }, 2, 0.221, 11, 11, 91, 91]);
  assert.deepEqual(k.disruption.commands, { 'single/delete': 1, 'single/replace': 1 });
  assert.equal(k.disruption.estimatedSavingsUsdPerHour, 0.68); // $0.085 deleted + ($0.68 - $0.085) replaced
  // Every pod waited 1s of batching and 90s of startup: 11 pods × 91 s.
  assert.equal(summary.pods.pendingPodSeconds, 1001);
  const launched = rows(a, 'events.csv').filter((e) => e.type === 'Launched').map((e) => [e.t, e.object!.replace(/-[a-z0-9]{5}$/, '')]);
  assert.deepEqual(launched, [['1', 'NodeClaim/-/general'], ['301', 'NodeClaim/-/graviton'], ['601', 'NodeClaim/-/general'], ['2780', 'NodeClaim/-/general']]);
  assert.deepEqual(summary.warnings.map((w: { title: string }) => w.title), ['spot allowed, no spot price', 'usage = requests']);
  // Deterministic: the second run wrote the same bytes (run-info.json holds wall times).
  for (const file of fs.readdirSync(a).filter((f) => f !== 'run-info.json')) {
    assert.ok(fs.readFileSync(path.join(a, file)).equals(fs.readFileSync(path.join(b, file))), `${file} differs between two runs`);
  }
});

test('the report says what Karpenter did at a glance: launches, terminations by reason, the wait for a node, the end rate', () => {
  const out = path.join(scratchDir(), 'r');
  const r = capsim('run', 'scenarios/karpenter-nodepools.yaml', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  // The figures of the test above: 4 launched, 2 consolidated, 1 replacement, 11 pods × 91 s, $0.136 + $0.085 at the end.
  assert.match(html, /Karpenter: 4 NodeClaims launched, 2 terminated \(Underutilized 2\), 1 replacement launched by disruption; pods waited 91 s on average for a node \(at most 91 s\); 2 NodeClaims at the end, \$0\.221\/h\./);
});
