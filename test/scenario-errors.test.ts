// Invalid input: every problem is reported at once, each with file:line:column, the field path,
// what was expected and a hint. The fixtures reproduce the source documents' own mistakes
// (reference/seed-notes.md §4 and examples E16-E25).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario, type LoadOptions } from '../src/scenario/load.ts';
import { InputError, formatProblem, type Problem } from '../src/scenario/errors.ts';

const ERRORS = 'test/fixtures/scenario/errors';

async function problemsOf(file: string, options?: LoadOptions): Promise<Problem[]> {
  try {
    await loadScenario(file, options);
  } catch (error) {
    assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail(`${file} loaded without problems`);
}

/** The one problem at `path`, asserted to exist. */
function at(problems: Problem[], path: string): Problem {
  const found = problems.filter((p) => p.path === path);
  assert.equal(found.length, 1, `one problem at ${path}; got:\n${problems.map(formatProblem).join('\n')}`);
  return found[0];
}

function where(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}`;
}

const TYPOS = `${ERRORS}/seed-typos.yaml`;

test('every mistake in a manifest file is reported together, in file order', async () => {
  const problems = await problemsOf(`${ERRORS}/seed-typos-scenario.yaml`);
  assert.equal(problems.length, 10);
  assert.ok(problems.every((p) => p.file === TYPOS));
  const lines = problems.map((p) => p.line);
  assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
});

test('kind: Deployment with apiVersion: v1 names the right apiVersion ([003] § 5.7)', async () => {
  const p = at(await problemsOf(`${ERRORS}/seed-typos-scenario.yaml`), 'apiVersion');
  assert.equal(where(p), `${TYPOS}:2:13`);
  assert.equal(p.message, 'no kind "Deployment" is registered for version "v1"');
  assert.equal(p.hint, 'Deployment is served at apiVersion apps/v1');
});

test('resources: request: is an unknown field, did you mean "requests"? (E25)', async () => {
  const p = at(await problemsOf(`${ERRORS}/seed-typos-scenario.yaml`), 'spec.template.spec.containers[0].resources.request');
  assert.equal(where(p), `${TYPOS}:34:13`); // the key itself
  assert.equal(p.message, 'unknown field "request"');
  assert.equal(p.hint, 'did you mean "requests"? fields here: limits, requests, claims');
});

test('ResourceQuota request.cpu is not a quota resource name, did you mean "requests.cpu"? (E19)', async () => {
  const problems = await problemsOf(`${ERRORS}/seed-typos-scenario.yaml`);
  const cpu = at(problems, 'spec.hard.request.cpu');
  assert.equal(where(cpu), `${TYPOS}:44:5`);
  assert.equal(cpu.message, '"request.cpu" is not a valid quota resource name');
  assert.equal(cpu.hint, 'did you mean "requests.cpu"?');
  assert.equal(at(problems, 'spec.hard.request.memory').hint, 'did you mean "requests.memory"?');
  assert.equal(at(problems, 'spec.hard.request.storage').hint, 'did you mean "requests.storage"?');
  // The valid names of the same quota pass: limits.cpu, limits.memory, persistentvolumeclaims.
  assert.equal(problems.filter((p) => p.path.startsWith('spec.hard.')).length, 3);
});

test('strategy type rollingUpdate (lower case) is an unsupported value (E22)', async () => {
  const p = at(await problemsOf(`${ERRORS}/seed-typos-scenario.yaml`), 'spec.strategy.type');
  assert.equal(where(p), `${TYPOS}:59:11`);
  assert.equal(p.message, 'unsupported value "rollingUpdate"');
  assert.match(p.hint!, /did you mean "RollingUpdate"\?/);
});

test('a malformed quantity gets the quantity parser\'s message and hint; a negative one must be >= 0', async () => {
  const problems = await problemsOf(`${ERRORS}/seed-typos-scenario.yaml`);
  const memory = at(problems, 'spec.template.spec.containers[0].resources.limits.memory');
  assert.equal(where(memory), `${TYPOS}:69:30`);
  assert.match(memory.message, /^invalid quantity "512MB"/);
  assert.equal(memory.hint, 'did you mean 512M or 512Mi? (M = 10^6, Mi = 2^20)');
  const cpu = at(problems, 'spec.template.spec.containers[0].resources.limits.cpu');
  assert.equal(where(cpu), `${TYPOS}:69:42`);
  assert.equal(cpu.message, 'must be greater than or equal to 0');
});

test('PDB maxAvailable (E15) suggests both real fields; a misspelled kind suggests the real one', async () => {
  const problems = await problemsOf(`${ERRORS}/seed-typos-scenario.yaml`);
  const pdb = at(problems, 'spec.maxAvailable');
  assert.equal(where(pdb), `${TYPOS}:75:3`);
  assert.equal(pdb.hint, 'did you mean "maxUnavailable" or "minAvailable"? fields here: minAvailable, selector, maxUnavailable, unhealthyPodEvictionPolicy');
  const kind = at(problems, 'kind');
  assert.equal(where(kind), `${TYPOS}:80:7`);
  assert.equal(kind.message, 'no kind "Deploymnet" is registered for version "apps/v1"');
  assert.equal(kind.hint, 'did you mean "Deployment"?');
});

test('scenario problems: all sections are checked even when some are invalid', async () => {
  const file = `${ERRORS}/scenario-problems.yaml`;
  const problems = await problemsOf(file);
  const expect: [string, string, RegExp, RegExp | undefined][] = [
    ['spec.duraton', '6:3', /^unknown field "duraton"$/, /did you mean "duration"\?/],
    ['spec.sampleEvery', '8:16', /^invalid duration "5 minutes"/, /write 5m/],
    ['spec.cluster.nodePools[0].instanceType', '12:23', /^unknown instance type "aws\/m5.xlarg"$/, /did you mean "aws\/m5.xlarge"\?/],
    ['spec.cluster.nodePools[0].max', '14:14', /count \(3\) must be at most max \(2\)/, undefined],
    ['spec.cluster.nodePools[1].name', '15:15', /duplicate node pool name "general"/, /nodePools\[0\]/],
    ['spec.cluster.nodePools[1].price', '15:9', /needs a price/, /onDemandPerHour/],
    ['spec.cluster.nodePools[2].spot.pricePerHour', '17:9', /no spot price for aws\/m5.large/, /set spot.pricePerHour/],
    ['spec.cluster.autoscaler.expander', '21:17', /unknown expander "cheapest"/, /least-waste/],
    ['spec.cluster.autoscaler.scaleDownUtilisationThreshold', '22:7', /unknown field/, /did you mean "scaleDownUtilizationThreshold"\?/],
    // web's strategy.type is wrong: the rest of the entry is still checked, in the same pass.
    ['spec.workloads[0].containers[0].resources.requests.cpu', '28:39', /must be less than or equal to cpu limit of 100m/, undefined],
    ['spec.workloads[0].priorityClassName', '29:26', /no PriorityClass "hihg"/, /declare it/],
    ['spec.workloads[0].strategy.type', '30:24', /unsupported value "rollingUpdate"/, /"RollingUpdate"/],
    ['spec.workloads[1]', '31:7', /a CronJob needs a schedule/, /schedule/],
    ['spec.behavior[0].target', '35:15', /no workload "Deployment\/default\/wbe" is declared/, /did you mean "Deployment\/default\/web"\?/],
    ['spec.behavior[1].usage.ap', '40:9', /Deployment\/default\/web has no container "ap"/, /did you mean "app"\?/],
    ['spec.events[0].at', '42:12', /at 3d is after the end of the scenario \(duration 2d\)/, /lengthen spec.duration/],
    ['spec.events[0].drain.pool', '42:30', /no node pool "genral"/, /did you mean "general"\?/],
    ['spec.events[1]', '43:7', /exactly one of .* got "cordon" and "uncordon"/, /one action per event/],
    ['spec.events[3].rollout.target', '45:34', /no workload "Deployment\/default\/web2"/, /did you mean "Deployment\/default\/web"\?/],
  ];
  for (const [path, position, message, hint] of expect) {
    const p = at(problems, path);
    assert.equal(where(p), `${file}:${position}`, path);
    assert.match(p.message, message, path);
    if (hint) assert.match(p.hint ?? '', hint, path);
  }
  assert.equal(problems.length, expect.length, problems.map(formatProblem).join('\n'));
});

test('references between objects: priority class, HPA and VPA targets, duplicates, containers', async () => {
  const file = `${ERRORS}/refs.yaml`;
  const problems = await problemsOf(`${ERRORS}/refs-scenario.yaml`);
  const pc = at(problems, 'spec.template.spec.priorityClassName');
  assert.equal(where(pc), `${file}:9:26`);
  assert.equal(pc.message, 'no PriorityClass "hihg-priority"');
  assert.equal(pc.hint, 'did you mean "high-priority"?');
  const limit = at(problems, 'spec.template.spec.containers[0].resources.requests.cpu');
  assert.equal(limit.message, 'must be less than or equal to cpu limit of 250m');
  const hpa = at(problems, 'spec.scaleTargetRef.name');
  assert.equal(where(hpa), `${file}:23:65`);
  assert.equal(hpa.message, 'HorizontalPodAutoscaler targets Deployment/shop/apii, which is not declared');
  assert.equal(hpa.hint, 'did you mean "api"?');
  const vpa = at(problems, 'spec.targetRef.name');
  assert.equal(vpa.hint, 'api is a Deployment; set kind: Deployment');
  const dup = at(problems, 'metadata.name');
  assert.equal(where(dup), `${file}:34:18`);
  assert.equal(dup.message, 'duplicate Deployment "shop/api"');
  assert.equal(dup.hint, `first declared at ${file}:1`);
  const job = at(problems, 'spec.template.spec.restartPolicy');
  assert.match(job.message, /valid values: "OnFailure", "Never"/);
  const usage = at(problems, 'spec.behavior[0].usage.app');
  assert.equal(where(usage), `${ERRORS}/refs-scenario.yaml:10:9`);
  assert.equal(usage.message, 'Deployment/shop/api has no container "app"');
  assert.equal(usage.hint, 'did you mean "api"?');
  assert.equal(problems.length, 7, problems.map(formatProblem).join('\n'));
});

test('a wrong apiVersion does not hide the object\'s other problems (inline manifest)', async () => {
  const file = `${ERRORS}/inline-manifest.yaml`;
  const problems = await problemsOf(file);
  const api = at(problems, 'spec.manifests[0].apiVersion');
  assert.equal(where(api), `${file}:5:19`);
  assert.equal(api.hint, 'Deployment is served at apiVersion apps/v1 (extensions/v1beta1 was removed in Kubernetes 1.16)');
  const selectr = at(problems, 'spec.manifests[0].spec.selectr');
  assert.equal(where(selectr), `${file}:10:9`);
  assert.equal(selectr.hint, 'did you mean "selector"? fields here: replicas, selector, template, strategy, minReadySeconds, revisionHistoryLimit, paused, progressDeadlineSeconds');
  // Not also "missing required field selector": the misspelt field's hint says it (one mistake, one problem).
  assert.ok(!problems.some((p) => p.path === 'spec.manifests[0].spec.selector'));
  assert.match(at(problems, 'spec.manifests[0].spec.template.spec.containers[0].resources.limits.memory').hint!, /250M or 250Mi/);
  assert.equal(problems.length, 3, problems.map(formatProblem).join('\n'));
});

test('a Deployment\'s selector must select its template; one that does not parse is reported once, for its shape', async () => {
  // Upstream ValidateReplicaSetSpec checks the template against the selector only when
  // LabelSelectorAsSelector accepts it; an `In` without values is a problem of the selector alone.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsim-selector-'));
  const file = path.join(dir, 'scenario.yaml');
  const deployment = (name: string, selector: string) => `    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: ${name}}
      spec:
        selector: ${selector}
        template:
          metadata: {labels: {app: web, tier: front}}
          spec: {containers: [{name: c, resources: {requests: {cpu: 100m}}}]}
`;
  fs.writeFileSync(file, `apiVersion: capsim/v1
kind: Scenario
metadata: {name: selectors}
spec:
  manifests:
${deployment('matches', '{matchLabels: {app: web}, matchExpressions: [{key: tier, operator: NotIn, values: [back]}]}')}${deployment('other', '{matchLabels: {app: api}}')}${deployment('unparsed', '{matchExpressions: [{key: app, operator: In}]}')}`);
  const problems = await problemsOf(file);
  assert.equal(at(problems, 'spec.manifests[1].spec.template.metadata.labels').message, '`selector` does not match template `labels`');
  assert.match(at(problems, 'spec.manifests[2].spec.selector.matchExpressions[0].values').message, /must be specified/);
  assert.equal(problems.length, 2, problems.map(formatProblem).join('\n'));
});

test('YAML syntax: mis-indented metadata (the [000] mistake) and a duplicate key', async () => {
  const [indent] = await problemsOf(`${ERRORS}/syntax-indent.yaml`);
  assert.equal(where(indent), `${ERRORS}/syntax-indent.yaml:3:11`);
  assert.match(indent.message, /^invalid YAML: bad indentation of a mapping entry/);
  assert.match(indent.hint!, /indentation of line 3/);
  const [dup] = await problemsOf(`${ERRORS}/syntax-dupkey.yaml`);
  assert.equal(where(dup), `${ERRORS}/syntax-dupkey.yaml:6:3`);
  assert.match(dup.message, /duplicated mapping key/);
});

test('missing manifest files and empty globs point at their entry, with the closest file name', async () => {
  const file = `${ERRORS}/missing-files.yaml`;
  const problems = await problemsOf(file);
  const missing = at(problems, 'spec.manifests[0]');
  assert.equal(where(missing), `${file}:5:7`);
  assert.equal(missing.message, 'file not found: refs.yml');
  assert.equal(missing.hint, 'did you mean "refs.yaml"?');
  assert.equal(at(problems, 'spec.manifests[1]').message, '"nothing/*.yaml" matches no files');
  assert.equal(at(problems, 'spec.manifests[2].metadata').message, 'missing required field "metadata"');
});

test('the shorthand reports at its own fields', async () => {
  const file = `${ERRORS}/bad-shorthand.yaml`;
  const problems = await problemsOf(file);
  assert.match(at(problems, 'spec.workloads[0].hpa.metrics[0]').message, /a cpu metric needs one of "averageUtilization", "averageValue"/);
  assert.match(at(problems, 'spec.workloads[0].pdb').message, /exactly one of "minAvailable", "maxUnavailable"/);
  // web's hpa and pdb are wrong: the rest of it is still checked, in the same pass.
  assert.equal(at(problems, 'spec.workloads[0].containers[0].resources.requests.cpu').message, 'must be less than or equal to cpu limit of 250m');
  assert.equal(problems.length, 5, problems.map(formatProblem).join('\n'));
});

test('a problem found in a generated object is reported at the shorthand field it came from', async () => {
  const file = `${ERRORS}/bad-shorthand.yaml`;
  const problems = await problemsOf(file);
  const strategy = at(problems, 'spec.workloads[1].strategy.rollingUpdate');
  assert.equal(where(strategy), `${file}:14:49`);
  assert.equal(strategy.message, "may not be specified when strategy `type` is 'Recreate'");
  const cpu = at(problems, 'spec.workloads[1].containers[0].resources.requests.cpu');
  assert.equal(where(cpu), `${file}:17:39`);
  assert.equal(cpu.message, 'must be less than or equal to cpu limit of 250m');
  // Through --set, the same problem is the flag's.
  const viaSet = await problemsOf(`${ERRORS}/bad-shorthand.yaml`, { set: ['spec.workloads[1].strategy={type: Recreate, rollingUpdate: {maxSurge: 2}}'] });
  assert.equal(at(viaSet, 'spec.workloads[1].strategy.rollingUpdate').file, '--set');
});

test('bad --set flags are problems of the flag, with suggestions', async () => {
  const problems = await problemsOf('test/fixtures/scenario/full.yaml', {
    set: ['spec.cluster.nodePools[5].count=1', 'spec.cluser.nodePools[0].instanceType=aws/c5.2xlarge', 'noequals', 'spec.duration=abc', 'spec.cluster.autoscaler.expandr=price', 'spec.seed=[1'],
  });
  assert.ok(problems.every((p) => p.file === '--set' && p.line === 0));
  const index = at(problems, 'spec.cluster.nodePools[5]');
  assert.equal(index.message, 'no item [5]: spec.cluster.nodePools has 3 items (in --set spec.cluster.nodePools[5].count=1)');
  assert.equal(index.hint, 'indexes go from 0 to 2');
  assert.equal(at(problems, 'spec.cluser').hint, 'did you mean "cluster"?');
  assert.match(at(problems, '').message, /expected path=value/);
  assert.match(at(problems, 'spec.duration').message, /^invalid duration "abc".*\(from --set spec.duration=abc\)$/);
  assert.equal(at(problems, 'spec.cluster.autoscaler.expandr').hint, 'did you mean "expander"? (34 fields here: see docs/scenario.md#specclusterautoscaler)');
  assert.match(at(problems, 'spec.seed').message, /^invalid value/);
});

test('a Kubernetes manifest given as the scenario says where it belongs', async () => {
  const [p] = await problemsOf(`${ERRORS}/refs.yaml`);
  assert.equal(where(p), `${ERRORS}/refs.yaml:2:7`);
  assert.equal(p.message, 'expected kind: Scenario, got Deployment: this is Kubernetes objects, not a capsim scenario');
  assert.match(p.hint!, /under spec.manifests of a Scenario/);
  // `kubectl get ... -o yaml` output given as the scenario: one problem, pointing at the import
  // (it used to be four: apiVersion, kind, metadata.resourceVersion and items unknown).
  const dump = 'test/fixtures/dumps/eks-shop.yaml';
  const problems = await problemsOf(dump);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].message, 'expected kind: Scenario, got List: this is Kubernetes objects, not a capsim scenario');
  assert.match(problems[0].hint!, /^to simulate a cluster from its objects, `capsim import cluster test\/fixtures\/dumps\/eks-shop.yaml --out DIR`/);
  const [q] = await problemsOf(`${ERRORS}/syntax-missing.yaml`);
  assert.equal(q.message, `file not found: ${ERRORS}/syntax-missing.yaml`);
  assert.match(q.hint ?? '', /syntax-(indent|dupkey)\.yaml/);
});

test('InputError prints every problem as file:line:column: path: message, with the hint below', async () => {
  try {
    await loadScenario(`${ERRORS}/seed-typos-scenario.yaml`);
    assert.fail('expected an InputError');
  } catch (error) {
    const lines = (error as Error).message.split('\n');
    assert.equal(lines[0], `${TYPOS}:2:13: apiVersion: no kind "Deployment" is registered for version "v1"`);
    assert.equal(lines[1], '    hint: Deployment is served at apiVersion apps/v1');
  }
});
