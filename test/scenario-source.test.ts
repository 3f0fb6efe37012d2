// YamlSource: documents, their first lines, and line:column of any path (values and keys).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { YamlSource } from '../src/scenario/source.ts';

test('document lines from the text scan agree with the parser for separators, comments and directives', () => {
  const cases: [string, number[]][] = [
    ['a: 1\n---\nb: 2\n', [1, 3]],
    ['# header\n---\na: 1\n', [3]],
    ['%YAML 1.2\n---\na: 1\n', [3]],
    ['--- {a: 1}\n--- \n# c\n\nb: 2\n', [1, 5]],
    ['k: |\n  ---\n  x\n---\nz: 1', [1, 5]],
    ['a: 1\r\n---\r\nb: 2\r\n', [1, 3]],
  ];
  for (const [text, lines] of cases) {
    const src = new YamlSource('x.yaml', text);
    assert.deepEqual(src.documents.map((_, i) => src.line(i)), lines, JSON.stringify(text));
    assert.deepEqual(src.documents.map((_, i) => src.position(i, []).line), lines, JSON.stringify(text));
  }
});

test('positions of values, keys, list items and quoted keys; a missing path gives its parent', () => {
  const text = [
    'apiVersion: v1', //                     1
    'kind: Pod', //                          2
    'metadata:', //                          3
    '  "name": demo', //                     4
    'spec:', //                              5
    '  containers:', //                      6
    '    - name: a', //                      7
    '    - name: b', //                      8
    '      resources: {request: {cpu: 1}}', // 9
  ].join('\n');
  const src = new YamlSource('pod.yaml', text);
  assert.deepEqual(src.position(0, ['metadata', 'name']), { line: 4, column: 11 });
  assert.deepEqual(src.position(0, ['metadata', 'name'], { key: true }), { line: 4, column: 3 });
  assert.deepEqual(src.position(0, ['spec', 'containers', 1, 'name']), { line: 8, column: 13 });
  assert.deepEqual(src.position(0, ['spec', 'containers', 1, 'resources', 'request'], { key: true }), { line: 9, column: 19 });
  assert.deepEqual(src.position(0, ['spec', 'containers', 1, 'resources', 'request', 'cpu']), { line: 9, column: 34 });
  assert.deepEqual(src.position(0, ['spec', 'containers', 5]), { line: 7, column: 5 });
  assert.deepEqual(src.position(0, ['spec', 'nodeName']), { line: 6, column: 3 });
});

test('the items of a List get their own lines', () => {
  const text = 'apiVersion: v1\nkind: List\nitems:\n  - kind: Pod\n    metadata: {name: a}\n  - kind: Pod\n    metadata: {name: b}\n';
  const src = new YamlSource('list.yaml', text);
  assert.equal(src.line(0, ['items', 0]), 4);
  assert.equal(src.line(0, ['items', 1]), 6);
  assert.equal((src.documents[0] as { items: unknown[] }).items.length, 2);
});

test('a syntax error is one problem at its place; tabs and duplicate keys get advice', () => {
  const tab = new YamlSource('t.yaml', 'a: 1\n\tb: 2\n');
  assert.equal(tab.problem?.line, 2);
  assert.match(tab.problem!.hint!, /spaces, not tabs/);
  const dup = new YamlSource('d.yaml', 'a: 1\nb:\n  c: 1\n  c: 2\n');
  assert.deepEqual([dup.problem?.line, dup.problem?.column], [4, 3]);
  assert.match(dup.problem!.message, /duplicated mapping key/);
  assert.deepEqual(dup.documents, []);
});
