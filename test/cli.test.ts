// The command line as a user meets it: exit codes, every problem at once with its hint,
// nothing written on bad input, byte-identical outputs for the same scenario and seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { capsim, scratchDir, writeScenario } from './support/run.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Every file under a directory, as paths relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

test('the quickstart run twice gives byte-identical files, report and charts included (run-info.json aside)', () => {
  const a = path.join(scratchDir(), 'a');
  const b = path.join(scratchDir(), 'b');
  assert.equal(capsim('run', 'scenarios/quickstart.yaml', '--out', a, '--quiet').code, 0);
  assert.equal(capsim('run', 'scenarios/quickstart.yaml', '--out', b, '--quiet').code, 0);
  const files = filesUnder(a);
  const charts = ['carbon', 'cost-by-namespace', 'cost', 'cpu', 'memory', 'node-utilization', 'nodes', 'pods', 'timeline', 'waste', 'workloads'].map((c) => `charts/${c}.svg`);
  assert.deepEqual(files, [
    ...charts, 'events.csv', 'focus.csv', 'hourly.csv', 'node-utilization.csv', 'nodes.csv', 'recommendations.csv', 'report.html', 'run-info.json', 'scenario.resolved.yaml', 'summary.json', 'timeseries.csv', 'workloads.csv',
  ]);
  for (const f of files) {
    if (f === 'run-info.json') continue;
    assert.ok(fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))), `${f} differs between identical runs`);
  }
  // Another seed is another run (the tie-breaks differ), but still a valid one.
  const c = path.join(scratchDir(), 'c');
  assert.equal(capsim('run', 'scenarios/quickstart.yaml', '--out', c, '--quiet', '--seed', '7').code, 0);
  assert.equal(JSON.parse(fs.readFileSync(path.join(c, 'summary.json'), 'utf8')).seed, 7);
});

test('run prints the results path; the resolved scenario re-runs to the same summary', () => {
  const out = path.join(scratchDir(), 'q');
  const first = capsim('run', 'scenarios/quickstart.yaml', '--out', out);
  assert.equal(first.code, 0);
  assert.match(first.stdout, /^results +.*q\/ \(summary\.json/m);
  assert.match(first.stdout, /^report +.*q\/report\.html\n$/m);
  assert.match(first.stderr, /1d simulated in [\d.]+ s/);
  const again = path.join(scratchDir(), 'again');
  // The resolved file names its manifests relative to the original scenario: copy it there.
  const resolved = path.join(ROOT, 'scenarios', `.resolved-${process.pid}.yaml`);
  fs.copyFileSync(path.join(out, 'scenario.resolved.yaml'), resolved);
  try {
    assert.equal(capsim('run', resolved, '--out', again, '--quiet').code, 0);
  } finally {
    fs.rmSync(resolved);
  }
  assert.equal(fs.readFileSync(path.join(again, 'summary.json'), 'utf8'), fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
});

test("bad input: every problem at once, with file:line:column, the path and a hint; exit 2; nothing written", () => {
  const dir = scratchDir();
  fs.writeFileSync(
    path.join(dir, 'app.yaml'),
    `apiVersion: v1
kind: Deployment
metadata: {name: frontend}
spec:
  replicas: 3
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: nginx
          image: nginx:alpine
          resources:
            request:
              cpu: 100m
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: mem-cpu-demo, namespace: team-1}
spec:
  hard:
    request.cpu: "1"
    limits.memory: 2Gi
`,
  );
  const file = writeScenario(
    `apiVersion: capsim/v1
kind: Scenario
metadata: {name: broken}
spec:
  cluster:
    nodePools:
      - {name: p, capacity: {cpu: "-100m", memory: 512MB}, price: {onDemandPerHour: 0.1}}
  manifests: [app.yaml]
`,
    dir,
  );
  const out = path.join(dir, 'out');
  const r = capsim('run', file, '--out', out);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(!fs.existsSync(out), 'nothing is written for invalid input');
  assert.ok(!fs.readdirSync(dir).some((f) => f.includes('.tmp-')), 'no temporary directory is left behind');
  const err = r.stderr;
  assert.match(err, /app\.yaml:1:\d+: apiVersion: no kind "Deployment" is registered for version "v1"/);
  assert.match(err, /hint: Deployment is served at apiVersion apps\/v1/);
  assert.match(err, /app\.yaml:19:\d+: spec\.template\.spec\.containers\[0\]\.resources\.request: unknown field "request"/);
  assert.match(err, /did you mean "requests"\?/);
  assert.match(err, /app\.yaml:27:\d+: spec\.hard(\.request\.cpu|\["request\.cpu"\])?: .*request\.cpu/);
  assert.match(err, /did you mean "requests\.cpu"\?/);
  assert.match(err, /scenario\.yaml:7:\d+: .*capacity\.cpu: .*greater than or equal to 0/);
  assert.match(err, /scenario\.yaml:7:\d+: .*capacity\.memory: .*512MB/);
  assert.match(err, /512M or 512Mi/);
  // validate reports the same problems and also exits 2
  assert.equal(capsim('validate', file).code, 2);
});

test('validate, init, catalog and --help work; unknown flags are refused with exit 2', () => {
  const v = capsim('validate', 'scenarios/quickstart.yaml');
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^ok: quickstart: 1d, 2 node pool\(s\)/);
  const dir = scratchDir();
  assert.equal(capsim('init', dir).code, 0);
  const starter = path.join(dir, 'scenario.yaml');
  assert.equal(capsim('validate', starter).code, 0, 'the starter scenario validates as written');
  assert.equal(capsim('init', dir).code, 2, 'init refuses to overwrite');
  const c = capsim('catalog', '--provider', 'aws', '--filter', 'm5.xlarge');
  assert.equal(c.code, 0);
  assert.match(c.stdout, /aws\/m5\.xlarge\s+4\s+16Gi\s+58\s+0\s+amd64\s+\$0\.192\/h/);
  assert.match(capsim('--help').stdout, /run <scenario>/);
  assert.equal(capsim('run', 'scenarios/quickstart.yaml', '--bogus').code, 2);
  assert.equal(capsim('run', 'does-not-exist.yaml').code, 2);
  const setRun = capsim('validate', 'scenarios/quickstart.yaml', '--set', 'spec.cluster.nodePools[0].cont=4');
  assert.equal(setRun.code, 2);
  assert.match(setRun.stderr, /did you mean "count"\?/);
});
