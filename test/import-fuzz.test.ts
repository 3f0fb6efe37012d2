// The dump reader of `capsim import cluster` (src/import/readDump.ts) against input no one
// meant: random text, random mutations of a real dump (test/fixtures/dumps/eks-shop.yaml) and
// random JSON objects in a List. It never throws anything but an InputError naming a file, and
// what it accepts plans the same files twice (the project's rule: a fuzz test for every input
// reader; bounded runs with fixed seeds so `npm test` stays fast and repeatable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { readDump, readText, type DumpObject } from '../src/import/readDump.ts';
import { planImport } from '../src/import/plan.ts';
import { InputError, type Problem } from '../src/scenario/errors.ts';

const EKS_SHOP = fs.readFileSync(path.resolve(import.meta.dirname, 'fixtures/dumps/eks-shop.yaml'), 'utf8');

/** Reads and plans `text` as stdin: an InputError, or the planned files. */
async function importText(text: string): Promise<InputError | Map<string, string>> {
  try {
    const dump = await readDump(['-'], async () => text);
    return planImport(dump, { name: 'fuzz', placement: 'asDumped', sources: ['(stdin)'] }).files;
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
}

function checkProblems(problems: readonly Problem[]): void {
  assert.ok(problems.length > 0);
  for (const p of problems) {
    assert.equal(typeof p.file, 'string');
    assert.ok(p.line >= 0 && Number.isInteger(p.line));
    assert.ok(p.message.length > 0 && p.message.length < 2000);
  }
}

test('random text: problems with a place, never a crash', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (text) => {
      const objects: DumpObject[] = [];
      const problems: Problem[] = [];
      readText('fuzz.yaml', text, objects, problems);
      if (problems.length > 0) checkProblems(problems);
    }),
    { numRuns: 300, seed: 15 },
  );
});

test('a real dump with lines cut, swapped or garbled: an InputError or a plan, the same plan twice', async () => {
  const lines = EKS_SHOP.split('\n');
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ at: fc.nat(lines.length - 1), op: fc.constantFrom('drop', 'dup', 'garble', 'indent'), text: fc.string({ maxLength: 12 }) }), { minLength: 1, maxLength: 4 }),
      async (edits) => {
        const mutated = [...lines];
        for (const e of edits) {
          const i = e.at % mutated.length;
          if (e.op === 'drop') mutated.splice(i, 1);
          else if (e.op === 'dup') mutated.splice(i, 0, mutated[i]);
          else if (e.op === 'garble') mutated[i] = mutated[i].slice(0, mutated[i].length >> 1) + e.text;
          else mutated[i] = ` ${mutated[i]}`;
        }
        const text = mutated.join('\n');
        const first = await importText(text);
        if (first instanceof InputError) {
          checkProblems(first.problems);
          return;
        }
        assert.deepEqual(await importText(text), first);
      },
    ),
    { numRuns: 60, seed: 1515 },
  );
});

test('random objects in a List: an InputError or a plan; what is written is valid YAML without bookkeeping', async () => {
  const meta = fc.record({
    name: fc.oneof(fc.constantFrom('a', 'web', 'ip-10-0-0-1.ec2.internal'), fc.string({ maxLength: 8 })),
    namespace: fc.option(fc.oneof(fc.constantFrom('default', 'shop'), fc.string({ maxLength: 8 })), { nil: undefined }),
    uid: fc.option(fc.uuid(), { nil: undefined }),
    managedFields: fc.option(fc.array(fc.jsonValue(), { maxLength: 2 }), { nil: undefined }),
    labels: fc.option(fc.dictionary(fc.constantFrom('eks.amazonaws.com/nodegroup', 'node.kubernetes.io/instance-type', 'karpenter.sh/capacity-type', 'x'), fc.string({ maxLength: 10 })), { nil: undefined }),
  }, { requiredKeys: ['name'] });
  const object = fc.record({
    apiVersion: fc.constantFrom('v1', 'apps/v1', 'batch/v1', 'argoproj.io/v1alpha1', 'example.com/v1'),
    kind: fc.constantFrom('Node', 'Pod', 'Deployment', 'ReplicaSet', 'Job', 'Secret', 'Rollout', 'Widget'),
    metadata: meta,
    spec: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
    status: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
  }, { requiredKeys: ['apiVersion', 'kind', 'metadata'] });
  await fc.assert(
    fc.asyncProperty(fc.array(fc.oneof(object, fc.jsonValue({ maxDepth: 2 })), { maxLength: 6 }), fc.boolean(), async (items, json) => {
      const list = { apiVersion: 'v1', kind: 'List', items };
      const text = json ? JSON.stringify(list) : YAML.stringify(list);
      const result = await importText(text);
      if (result instanceof InputError) {
        checkProblems(result.problems);
        return;
      }
      for (const [file, content] of result) {
        if (!file.endsWith('.yaml')) continue;
        const docs = YAML.parseAllDocuments(content);
        assert.deepEqual(docs.flatMap((d) => d.errors), [], file);
        if (file.startsWith('manifests/')) assert.equal(/^\s*(managedFields|resourceVersion):/m.test(content), false, file);
      }
    }),
    { numRuns: 150, seed: 151515 },
  );
});
