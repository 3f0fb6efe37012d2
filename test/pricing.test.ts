// The prices a team pays (spec.pricing): a region's catalog prices, OpenCost's custom-pricing CSV,
// negotiated and commitment discounts, a spot price history that changes nodes' prices during the
// run; every cost computed by hand. And what cannot be priced is an error, never $0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { loadProblems, runFile, runYaml, scratchDir, writeScenario, EC2_NODE_CLASS } from './support/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { readPriceFile, splitCsvLine } from '../src/pricing/priceFile.ts';
import { readSpotHistory } from '../src/pricing/spotHistory.ts';
import { discounted, spotPriceAt } from '../src/pricing/resolve.ts';
import { findInstanceType, onDemandPriceIn, priceRegions } from '../src/cost/catalog.ts';
import { pricingLines } from '../src/scenario/pricing.ts';
import { displayPath } from '../src/scenario/paths.ts';
import { capsim } from './support/run.ts';

const HEADER = 'EndTimestamp,InstanceID,Region,AssetClass,InstanceIDField,InstanceType,MarketPriceHourly,Version';

const near = (actual: number, expected: number, tolerance = 0.005) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected} (±${tolerance})`);

/** A scenario file in a fresh directory with the given side files. */
function scenarioWith(yaml: string, files: Record<string, string> = {}): string {
  const dir = scratchDir();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return writeScenario(yaml, dir);
}

const pool = (pricing: string, pools: string, duration = '10h') => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: pricing}
spec:
  start: "2026-01-05T00:00:00Z"
  duration: ${duration}
  sampleEvery: 5m
${pricing}
  cluster:
    nodePools:
${pools}
`;

test('a price file and two discounts change the cost as computed by hand', async () => {
  // Two aws/m5.xlarge nodes for 10 h. The catalog's us-east-1 list price is $0.192/h; the price
  // file's row makes it $0.172; a 5 % negotiated discount makes the contracted price
  // 0.172 x 0.95 = $0.1634; a 30 % Savings Plan the effective 0.1634 x 0.70 = $0.11438.
  // Cost: 2 nodes x 10 h x 0.11438 = $2.2876 (the catalog alone: 2 x 10 x 0.192 = $3.84).
  const pools = '      - {name: general, instanceType: aws/m5.xlarge, zones: [us-east-1a], count: 2}';
  const plain = await runYaml(pool('', pools));
  near(plain.summary.cost.totalUsd, 3.84);

  const file = scenarioWith(pool(`  pricing:
    priceFile: prices.csv
    discounts:
      - {name: edp, kind: negotiated, percent: 5}
      - {name: compute-savings-plan, kind: commitment, percent: 30, pools: [general]}`, pools), {
    'prices.csv': `${HEADER}\n2026-12-31 23:59:59 UTC,,us-east-1,node,,m5.xlarge,0.172,\n`,
  });
  const run = await runFile(file);
  near(run.summary.cost.totalUsd, 2.2876);
  // At list prices, the price file's: 2 x 10 x 0.172 = $3.44.
  near(run.summary.cost.listUsd, 3.44);
  near(plain.summary.cost.listUsd, 3.84);
  // hourly.csv, hour by hour: 2 node-hours at $0.172 listed, $0.22876 charged.
  const hourly = run.csv('hourly.csv');
  assert.equal(hourly.length, 10);
  assert.deepEqual([hourly[0].node_hours, hourly[0].list_usd, hourly[0].cost_usd], ['2', '0.344', '0.22876']);
  const nodes = run.csv('nodes.csv');
  assert.deepEqual(nodes.map((n) => n.price_usd_per_hour), ['0.11438', '0.11438']);
  const s = await loadScenario(file);
  const general = s.cluster.nodePools[0];
  assert.equal(general.listPriceUsdPerHour, 0.172);
  assert.equal(general.contractedPriceUsdPerHour, 0.1634);
  assert.equal(general.priceUsdPerHour, 0.11438);
  assert.deepEqual(general.discounts, [{ name: 'edp', kind: 'negotiated', percent: 5 }, { name: 'compute-savings-plan', kind: 'commitment', percent: 30 }]);
  assert.match(pricingLines(s).join('\n'), /pool general \(aws\/m5\.xlarge, on-demand\): list \$0\.172\/h from .*prices\.csv:2; edp negotiated 5%, compute-savings-plan commitment 30% -> contracted \$0\.1634\/h, charged \$0\.11438\/h/);
});

test('a region prices a pool from that region\'s table; the price file\'s row for the region wins over a row for any region', async () => {
  // Azure Standard_D8s_v5 in westeurope: $0.46/h (Azure/karpenter-provider-azure's table), 4 h.
  const d8 = '      - {name: general, instanceType: azure/Standard_D8s_v5, zones: [westeurope-1], count: 1}';
  const run = await runYaml(pool('  pricing: {region: westeurope}', d8, '4h'));
  near(run.summary.cost.totalUsd, 0.46 * 4);
  assert.equal(onDemandPriceIn(findInstanceType('azure/Standard_D8s_v5')!, 'westeurope')?.usdPerHour, 0.46);

  const file = scenarioWith(pool('  pricing: {region: westeurope, priceFile: p.csv}', d8, '4h'), {
    'p.csv': `${HEADER}\n,,,node,,Standard_D8s_v5,0.5,\n,,WestEurope,node,,azure/Standard_D8s_v5,0.41,\n,,eastus,node,,Standard_D8s_v5,0.3,\n`,
  });
  assert.equal((await loadScenario(file)).cluster.nodePools[0].priceUsdPerHour, 0.41);
});

test('a pool nothing prices is an error with a hint, never $0', async () => {
  const cases: [string, string, RegExp, RegExp][] = [
    // AWS publishes no westeurope table in the Karpenter provider.
    ['  pricing: {region: westeurope}', '      - {name: a, instanceType: aws/m5.xlarge, count: 1}', /no public on-demand price for aws\/m5\.xlarge in region westeurope/, /us-east-1, us-gov-east-1, us-gov-west-1; give spec\.pricing\.priceFile a row for m5\.xlarge/],
    // GCE's public table names no region at all.
    ['  pricing: {region: us-central1}', '      - {name: a, instanceType: gce/n2-standard-8, count: 1}', /no public on-demand price for gce\/n2-standard-8 in region us-central1/, /name no region/],
    // Nor does its spot (legacy preemptible) price.
    ['  pricing: {region: europe-west1}', '      - {name: a, instanceType: gce/n2-standard-8, capacityType: spot, count: 1}', /no spot price for gce\/n2-standard-8 in region europe-west1/, /the catalog's gce spot price names no region, not europe-west1; set spot\.pricePerHour/],
    // An AWS spot pool: no public spot price and no history.
    ['  pricing: {discounts: [{name: x, kind: negotiated, percent: 5}]}', '      - {name: a, instanceType: aws/m5.xlarge, capacityType: spot, count: 1}', /no spot price for aws\/m5\.xlarge/, /spotPriceHistory/],
  ];
  for (const [pricing, pools, message, hint] of cases) {
    const problems = await loadProblems(writeScenario(pool(pricing, pools)));
    assert.equal(problems.length, 1, problems.map((p) => p.message).join('; '));
    assert.match(problems[0].message, message);
    assert.match(problems[0].hint ?? '', hint);
  }
});

test('a discount naming a pool, type or family that does not exist is an error', async () => {
  const problems = await loadProblems(writeScenario(pool(`  pricing:
    discounts:
      - {name: sp, kind: commitment, percent: 20, pools: [genral], instanceTypes: [aws/m5.xlarg], instanceFamilies: [m55]}`, '      - {name: general, instanceType: aws/m5.xlarge, count: 1}')));
  assert.deepEqual(problems.map((p) => [p.path, p.message, p.hint]).sort(), [
    ['spec.pricing.discounts[0].instanceFamilies[0]', 'no catalog type is of family "m55"', 'did you mean "m5"?'],
    ['spec.pricing.discounts[0].instanceTypes[0]', 'unknown instance type "aws/m5.xlarg"', 'did you mean "aws/m5.xlarge"?'],
    ['spec.pricing.discounts[0].pools[0]', 'no node pool or Karpenter NodePool "genral"', 'did you mean "general"?'],
  ].sort());
});

const history = (records: [string, string, string][]) => JSON.stringify({
  SpotPriceHistory: records.map(([zone, price, time]) => ({ AvailabilityZone: zone, InstanceType: 'm5.xlarge', ProductDescription: 'Linux/UNIX', SpotPrice: price, Timestamp: time })),
  NextToken: '',
}, null, 2);

test('a spot price history drives a spot node\'s price over the run, integrated to the cent', async () => {
  // One spot m5.xlarge in us-east-1a for 4 h from 00:00. The history (newest first, as AWS
  // lists it) has $0.0712 since the day before, $0.0801 from 01:30, $0.0655 from 03:00 and a
  // change after the run. Cost: 1.5 x 0.0712 + 1.5 x 0.0801 + 1 x 0.0655 = $0.29245.
  const file = scenarioWith(pool('  pricing: {spotPriceHistory: spot.json}', '      - {name: spot, instanceType: aws/m5.xlarge, capacityType: spot, zones: [us-east-1a], count: 1}', '4h'), {
    'spot.json': history([
      ['us-east-1a', '0.090000', '2026-01-05T05:00:00+00:00'],
      ['us-east-1a', '0.065500', '2026-01-05T03:00:00+00:00'],
      ['us-east-1a', '0.080100', '2026-01-05T01:30:00.000Z'],
      ['us-east-1a', '0.071200', '2026-01-04T17:12:09+00:00'],
    ]),
  });
  const run = await runFile(file);
  near(run.summary.cost.totalUsd, 1.5 * 0.0712 + 1.5 * 0.0801 + 0.0655, 1e-6);
  assert.equal(run.csv('nodes.csv')[0].price_usd_per_hour, '0.0655');

  // The pool's own spot.pricePerHour wins over the history, for the whole run: 4 h x $0.07.
  const own = scenarioWith(pool('  pricing: {spotPriceHistory: spot.json}', '      - {name: spot, instanceType: aws/m5.xlarge, capacityType: spot, spot: {pricePerHour: 0.07}, zones: [us-east-1a], count: 1}', '4h'), {
    'spot.json': history([['us-east-1a', '0.080100', '2026-01-05T01:30:00Z'], ['us-east-1a', '0.071200', '2026-01-04T17:12:09Z']]),
  });
  near((await runFile(own)).summary.cost.totalUsd, 0.28, 1e-9);
});

test('a spot history that starts after the scenario, or misses a zone of the pool, is an error', async () => {
  const late = scenarioWith(pool('  pricing: {spotPriceHistory: spot.json}', '      - {name: spot, instanceType: aws/m5.xlarge, capacityType: spot, zones: [us-east-1a, us-east-1b], count: 1}', '4h'), {
    'spot.json': history([['us-east-1a', '0.07', '2026-01-05T01:00:00Z']]),
  });
  const problems = await loadProblems(late);
  assert.deepEqual(problems.map((p) => p.message).sort(), [
    'the spot price history of m5.xlarge in us-east-1a starts at 2026-01-05T01:00:00.000Z, after the scenario\'s start 2026-01-05T00:00:00.000Z',
    `the spot price history ${displayPath(path.join(path.dirname(late), 'spot.json'))} has no m5.xlarge in zone us-east-1b`,
  ].sort());

  // A history that cannot be read is the one problem: the pool it would price is not said to
  // have no spot price besides.
  const missing = await loadProblems(writeScenario(pool('  pricing: {spotPriceHistory: nope.json}', '      - {name: spot, instanceType: aws/m5.xlarge, capacityType: spot, zones: [us-east-1a], count: 1}', '4h')));
  assert.deepEqual(missing.map((p) => [p.path, p.message]), [['spec.pricing.spotPriceHistory', 'file not found: nope.json']]);
});

test('the price file reader: OpenCost\'s header, rows by position, problems with line and column', () => {
  const text = [
    HEADER,
    '# a comment, as OpenCost skips',
    '2019-04-17 23:34:22 UTC,gke-pool-1-91dc432d-cg69,,node,metadata.name,,0.1337,',
    ',,us-east-1,node,,m5.xlarge,abc,',
    ',,us-east-1,node,,m5.xlarge,0.18,',
    ',,us-east-1,node,,m5.xlarge,0.19,',
    ',Quadro_RTX_4000,,gpu,nvidia.com/gpu_type,,0.75,',
    ',,,disk,,m5.xlarge,0.1,',
    ',,,node,,,0.1,',
    '"unclosed,,,node,,m5.large,0.1,',
    ',,,node,,m5.large,0.1',
  ].join('\n');
  const r = readPriceFile(text, 'p.csv');
  assert.deepEqual(r.prices.map((p) => [p.instanceId || p.instanceType, p.region, p.usdPerHour, p.at]), [
    ['gke-pool-1-91dc432d-cg69', '', 0.1337, 'p.csv:3'],
    ['m5.xlarge', 'us-east-1', 0.18, 'p.csv:5'],
  ]);
  assert.deepEqual(r.problems.map((p) => `${p.line}:${p.column} ${p.message}`), [
    '4:29 MarketPriceHourly "abc" is not a price',
    '6:1 a second price for type m5.xlarge in region us-east-1 (line 5 has the first)',
    '8:4 unknown AssetClass "disk"',
    '9:2 the row names neither an InstanceID nor an InstanceType',
    '10:1 a quoted field is never closed',
    '11:1 expected 8 fields, got 7',
  ]);
  assert.deepEqual(r.notices, ['p.csv: 1 gpu row not used: capsim prices nodes only (no volumes, no GPU add-on prices)']);
  assert.match(readPriceFile('InstanceType,MarketPriceHourly\nm5.large,0.1\n', 'q.csv').problems[0].message, /not OpenCost's custom-pricing header \(no EndTimestamp, InstanceID, Region, AssetClass, InstanceIDField, Version\)/);
  assert.deepEqual(splitCsvLine('a,"b,""c""",'), [{ value: 'a', column: 1 }, { value: 'b,"c"', column: 3 }, { value: '', column: 13 }]);
});

test('fuzz: any text is read as a price file or refused with problems on real lines, never thrown', () => {
  const line = fc.array(fc.oneof(fc.constantFrom('', 'node', 'pv', 'm5.large', 'us-east-1', '0.1', '-1', 'x', '"', '""', 'metadata.name', '1e3'), fc.string({ maxLength: 6 })), { maxLength: 10 }).map((f) => f.join(','));
  fc.assert(fc.property(fc.array(line, { maxLength: 8 }), fc.boolean(), (lines, header) => {
    const text = (header ? [HEADER, ...lines] : lines).join('\n');
    const r = readPriceFile(text, 'f.csv');
    const count = text.split(/\r\n|\r|\n/).length;
    for (const p of r.problems) assert.ok(p.line >= 0 && p.line <= count && p.column >= 0, `${p.line}:${p.column}`);
    for (const p of r.prices) assert.ok(Number.isFinite(p.usdPerHour) && p.usdPerHour >= 0);
    assert.ok(r.problems.length > 0 || r.prices.length > 0);
  }), { numRuns: 400 });
});

test('fuzz: any JSON is read as a spot price history or refused with problems, never thrown', () => {
  const record = fc.record({
    AvailabilityZone: fc.oneof(fc.constantFrom('us-east-1a', ''), fc.integer()),
    InstanceType: fc.constantFrom('m5.large', 'M5.Large', ''),
    ProductDescription: fc.constantFrom('Linux/UNIX', 'Windows', 'Linux/UNIX (Amazon VPC)'),
    SpotPrice: fc.oneof(fc.constantFrom('0.035200', '-1', 'x', '1e3'), fc.double()),
    Timestamp: fc.constantFrom('2026-01-05T03:00:00+00:00', '2026-01-05T03:00:00.000Z', '2026-13-05T03:00:00Z', 'now'),
  }, { requiredKeys: [] });
  fc.assert(fc.property(fc.oneof(fc.record({ SpotPriceHistory: fc.array(fc.oneof(record, fc.anything()), { maxLength: 6 }) }), fc.anything()), (data) => {
    const r = readSpotHistory(data, 'h.json', () => ({ line: 1, column: 1 }));
    for (const s of r.history.series.values()) {
      assert.equal(s.timesEpochMs.length, s.usdPerHour.length);
      for (let i = 1; i < s.timesEpochMs.length; i++) assert.ok(s.timesEpochMs[i] > s.timesEpochMs[i - 1]);
    }
    assert.ok(r.problems.length > 0 || r.history.series.size > 0);
  }), { numRuns: 400 });
});

test('the price in effect: the newest change at or before the time, none before the first', () => {
  const s = { instanceType: 'm5.large', zone: 'a', timesEpochMs: [10, 20, 30], usdPerHour: [1, 2, 3] };
  assert.deepEqual([5, 10, 15, 20, 29, 30, 99].map((t) => spotPriceAt(s, t)), [undefined, 1, 1, 2, 2, 3, 3]);
  // Commitments do not cover spot by default; negotiated discounts do.
  const rules = [
    { name: 'n', kind: 'negotiated' as const, percent: 10, pools: [], families: [], instanceTypes: [], capacityTypes: ['on-demand' as const, 'spot' as const] },
    { name: 'c', kind: 'commitment' as const, percent: 50, pools: [], families: ['m5'], instanceTypes: [], capacityTypes: ['on-demand' as const] },
  ];
  const type = findInstanceType('aws/m5.large')!;
  assert.deepEqual(discounted(0.1, rules, { type, typeName: 'm5.large', capacityType: 'spot', pool: null, zone: null }), { listUsdPerHour: 0.1, contractedUsdPerHour: 0.09, usdPerHour: 0.09, discounts: [{ name: 'n', kind: 'negotiated', percent: 10 }] });
  assert.equal(discounted(0.1, rules, { type, typeName: 'm5.large', capacityType: 'on-demand', pool: null, zone: null }).usdPerHour, 0.045);
  assert.equal(discounted(0.1, rules, { type: findInstanceType('aws/c5.large')!, typeName: 'c5.large', capacityType: 'on-demand', pool: null, zone: null }).usdPerHour, 0.09);
  assert.deepEqual(priceRegions('aws'), ['us-east-1', 'us-gov-east-1', 'us-gov-west-1']);
  assert.deepEqual(priceRegions('gce'), []);
});

test('Karpenter chooses by list prices: a discount lowers the bill by its share and changes no decision', async () => {
  const yaml = (pricing: string) => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: k}
spec:
  duration: 3h
  sampleEvery: 5m
${pricing}
  manifests:
${EC2_NODE_CLASS}    - apiVersion: karpenter.sh/v1
      kind: NodePool
      metadata: {name: general}
      spec:
        template:
          spec:
            nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
            requirements:
              - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}
              - {key: topology.kubernetes.io/zone, operator: In, values: [us-east-1a]}
  workloads:
    - {name: api, replicas: 6, containers: [{name: app, resources: {requests: {cpu: "1", memory: 2Gi}}}]}
`;
  const plain = await runYaml(yaml(''));
  const discounted20 = await runYaml(yaml('  pricing: {discounts: [{name: sp, kind: commitment, percent: 20, pools: [general]}]}'));
  const types = (r: typeof plain) => r.csv('nodes.csv').map((n) => `${n.node} ${n.instance_type} ${n.created_t} ${n.removed_t}`);
  assert.deepEqual(types(discounted20), types(plain));
  assert.ok(plain.summary.cost.totalUsd > 0);
  near(discounted20.summary.cost.totalUsd, plain.summary.cost.totalUsd * 0.8, 1e-5);
});

test('capsim catalog --region lists a region\'s prices; an unknown region is exit 2 with the regions', () => {
  const ok = capsim('catalog', '--region', 'westeurope', '--filter', 'D8s', '-o', 'json');
  assert.equal(ok.code, 0, ok.stderr);
  const rows = JSON.parse(ok.stdout) as { id: string; region: string; onDemandUsdPerHour: number; source: string }[];
  assert.deepEqual(rows.map((r) => [r.id, r.region, r.onDemandUsdPerHour]), [['azure/Standard_D8s_v5', 'westeurope', 0.46]]);
  assert.match(rows[0].source, /^Azure\/karpenter-provider-azure@352646f5:pkg\/providers\/pricing\/zz_generated\.pricing\.go initialOnDemandPrices\["westeurope"\]/);
  const bad = capsim('catalog', '--region', 'mars');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no prices for region "mars"[\s\S]*us-gov-west-1 \(aws\)/);
});

test('scenarios/fleet-cost-prices.yaml: the rate card, the Savings Plan and the spot history price its nodes', async () => {
  const s = await loadScenario('scenarios/fleet-cost-prices.yaml');
  const [general, spot] = s.cluster.nodePools;
  // custom-pricing.csv line 3: $0.3648; the 3-year Savings Plan takes 28 %: 0.3648 x 0.72.
  assert.equal(general.listPriceUsdPerHour, 0.3648);
  assert.equal(general.priceUsdPerHour, 0.262656);
  // spot-price-history.json: us-east-1a's price in effect at 2026-01-05T00:00Z (set 2026-01-04T19:12:44Z).
  assert.equal(spot.priceUsdPerHour, 0.1398);
  assert.equal(s.pricing?.spotHistory?.series.size, 3);
});

test('Node manifests: a price-file row naming the machine, a row for its type, the region\'s table; a spot Node without a spot price stays approximate', async () => {
  // Three on-demand Nodes for 2 h: ip-a is named by its row ($0.05/h); ip-b, an m5.large, has its
  // type's row ($0.09/h); ip-c, an Azure D4s_v5 in westeurope, the region's table ($0.23/h).
  // Cost: 2 x (0.05 + 0.09 + 0.23) = $0.74.
  const node = (name: string, labels: Record<string, string>, providerID: string) => `    - apiVersion: v1
      kind: Node
      metadata: {name: ${name}, labels: {${Object.entries(labels).map(([k, v]) => `${k}: "${v}"`).join(', ')}}}
      spec: {providerID: "${providerID}"}
      status: {allocatable: {cpu: 3920m, memory: 15Gi, pods: "58"}, capacity: {cpu: "4", memory: 16Gi, pods: "58"}}`;
  const file = scenarioWith(`apiVersion: capsim/v1
kind: Scenario
metadata: {name: manifest-prices}
spec:
  duration: 2h
  sampleEvery: 5m
  pricing: {priceFile: prices.csv}
  manifests:
${node('ip-a', { 'node.kubernetes.io/instance-type': 'm5.large' }, 'aws:///us-east-1a/i-0a')}
${node('ip-b', { 'node.kubernetes.io/instance-type': 'm5.large' }, 'aws:///us-east-1a/i-0b')}
${node('ip-c', { 'node.kubernetes.io/instance-type': 'Standard_D4s_v5', 'topology.kubernetes.io/region': 'westeurope' }, 'azure:///subscriptions/x/vm-c')}
${node('ip-d', { 'node.kubernetes.io/instance-type': 'm5.large', 'karpenter.sh/capacity-type': 'spot' }, 'aws:///us-east-1a/i-0d')}
`, { 'prices.csv': `${HEADER}\n,ip-a,,node,metadata.name,,0.05,\n,,,node,,m5.large,0.09,\n` });
  const run = await runFile(file);
  const cost = Object.fromEntries(run.csv('nodes.csv').map((n) => [n.node, Number(n.cost_usd)]));
  assert.deepEqual({ a: cost['ip-a'], b: cost['ip-b'], c: cost['ip-c'] }, { a: 0.1, b: 0.18, c: 0.46 });
  // ip-d: spot, and no spot price anywhere: the catalog's on-demand $0.096, said as approximate.
  near(cost['ip-d'], 0.192, 1e-9);
  assert.match(JSON.stringify(run.summary.warnings), /node-price-approximate.*spot m5\.large|ip-d/);
});

test('a pool priced $0 (as an import of a priceless trace writes it) is a warning, never a silent $0.00', async () => {
  const run = await runYaml(pool('', `      - {name: gpu, capacity: {cpu: "8", memory: 32Gi}, price: {onDemandPerHour: 0}, count: 2}
      - {name: cpu, capacity: {cpu: "8", memory: 32Gi}, price: {onDemandPerHour: 0.5}, count: 1}`, '2h'));
  assert.equal(run.summary.cost.totalUsd, 1); // the cpu pool's node: 2 h x $0.50
  const w = (run.summary.warnings ?? []).find((x: { code: string }) => x.code === 'pool-price-zero');
  assert.deepEqual(w?.objects, ['NodePool/-/gpu']);
  assert.match(w!.message, /^1 node pool is priced \$0 an hour, so the cost figures leave its nodes out: gpu\. Give each its price/);
});
