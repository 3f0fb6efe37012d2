// recommendations.csv (DESIGN §4) with a hand-computed monthly saving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { monthlySavingUsd, writeRecommendations } from '../src/record/recommendations.ts';
import { RECOMMENDATIONS } from '../src/outputs/csvFiles.ts';
import type { RecommendationRow } from '../src/controllers/vpa/controller.ts';
import { parseCsv, scratchDir } from './support/run.ts';

const MI = 1024 * 1024;

const row: RecommendationRow = {
  workload: 'Deployment/shop/web',
  container: 'app',
  cpuRequestMilli: 500,
  cpuLimitMilli: null,
  memoryRequestBytes: 1024 * MI,
  memoryLimitBytes: 2048 * MI,
  recommendation: {
    target: { cpuMilli: 126, memoryBytes: 600 * MI },
    lower: { cpuMilli: 125, memoryBytes: 550 * MI },
    upper: { cpuMilli: 252, memoryBytes: 1200 * MI },
    uncappedTarget: { cpuMilli: 126, memoryBytes: 600 * MI },
  },
  replicas: 3,
  rates: { usdPerCoreHour: 0.04, usdPerGbHour: 0.005 },
  historyDays: 7,
};

test('monthly saving = (request − target) × node rates × replicas × 730 h', () => {
  // cpu: (500 − 126)m = 0.374 core × $0.04 = $0.01496 an hour
  // memory: (1024 − 600)Mi = 0.4140625 GiB × $0.005 = $0.0020703125 an hour
  // × 3 replicas × 730 h = $37.296384375
  assert.ok(Math.abs(monthlySavingUsd(row)! - 37.296384375) < 1e-9);
  // A target above the request is a negative saving: (500 − 1000)m × 0.04 × 1 × 730 = −$14.6.
  const up = { ...row, replicas: 1, recommendation: { ...row.recommendation!, target: { cpuMilli: 1000, memoryBytes: null } } };
  assert.ok(Math.abs(monthlySavingUsd(up)! + 14.6) < 1e-9);
  assert.equal(monthlySavingUsd({ ...row, rates: null }), null);
  assert.equal(monthlySavingUsd({ ...row, recommendation: null }), null);
});

test('writeRecommendations: the DESIGN §4 columns, empty cells where a value does not exist', async () => {
  const dir = scratchDir();
  await writeRecommendations(dir, [row, { ...row, container: 'sidecar', cpuRequestMilli: null, memoryLimitBytes: null, recommendation: null }]);
  const text = fs.readFileSync(path.join(dir, 'recommendations.csv'), 'utf8');
  assert.equal(text.split('\n')[0], RECOMMENDATIONS.columns.join(','));
  assert.equal(text.split('\n')[0], 'workload,container,cpu_request_m,cpu_limit_m,memory_request_bytes,memory_limit_bytes,cpu_target_m,cpu_lower_m,cpu_upper_m,memory_target_bytes,memory_lower_bytes,memory_upper_bytes,monthly_saving_usd');
  const [a, b] = parseCsv(text);
  assert.deepEqual(a, {
    workload: 'Deployment/shop/web', container: 'app', cpu_request_m: '500', cpu_limit_m: '', memory_request_bytes: String(1024 * MI),
    memory_limit_bytes: String(2048 * MI), cpu_target_m: '126', cpu_lower_m: '125', cpu_upper_m: '252', memory_target_bytes: String(600 * MI),
    memory_lower_bytes: String(550 * MI), memory_upper_bytes: String(1200 * MI), monthly_saving_usd: '37.296384',
  });
  assert.equal(b.cpu_request_m, '');
  assert.equal(b.cpu_target_m, '');
  assert.equal(b.monthly_saving_usd, '');
});
