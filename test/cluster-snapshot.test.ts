// The cluster autoscaler's ClusterSnapshot: a fork shares its parent's node list and position
// map until one side writes (copy on write), so what one does never shows in the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterSnapshot } from '../src/controllers/clusterAutoscaler/clusterSnapshot.ts';
import { defaultProfile } from '../src/scheduler/profile.ts';
import { bind, makeNode, makePod } from './support/cluster.ts';

const context = { filters: defaultProfile().filters, namespaceLabels: () => ({}), ownerSelector: () => null };

/** Two 4-CPU nodes, a's already holding a 3-CPU pod. */
function cluster() {
  const a = makeNode({ name: 'a', cpu: 4 });
  const b = makeNode({ name: 'b', cpu: 4 });
  const held = bind(makePod({ name: 'held', cpuMilli: 3000 }), a);
  return { a, b, held, base: [a.info, b.info] };
}

test('a fork places, removes and adds a template node; its parent and the base list are unchanged', () => {
  const { a, b, held, base } = cluster();
  const parent = new ClusterSnapshot(context, base);
  const fork = parent.fork();
  fork.remove(held, a);
  fork.place(makePod({ name: 'x', cpuMilli: 2000 }), fork.info(b)!);
  fork.addNode(makeNode({ name: 'template', cpu: 4 }));
  assert.equal(fork.info(a)!.requested.cpuMilli, 0); // held left a in the fork
  assert.equal(fork.info(b)!.requested.cpuMilli, 2000);
  assert.equal(fork.nodeInfos.length, 3);
  assert.equal(parent.info(a)!.requested.cpuMilli, 3000); // the parent still sees held on a
  assert.equal(parent.info(b)!.requested.cpuMilli, 0);
  assert.equal(parent.nodeInfos.length, 2);
  assert.equal(parent.info(makeNode({ name: 'template' })), undefined);
  assert.deepEqual(base, [a.info, b.info]); // the API server's list is never written
  assert.equal(a.info.requested.cpuMilli, 3000);
});

test('the parent writing after a fork (a template node, a placement) does not show in the fork', () => {
  const { a, b, base } = cluster();
  const parent = new ClusterSnapshot(context, base);
  const fork = parent.fork();
  const template = makeNode({ name: 'template', cpu: 4 });
  parent.addNode(template);
  parent.place(makePod({ name: 'y', cpuMilli: 1000 }), parent.info(a)!);
  assert.equal(parent.info(a)!.requested.cpuMilli, 4000);
  assert.equal(fork.info(a)!.requested.cpuMilli, 3000);
  assert.equal(fork.nodeInfos.length, 2);
  assert.equal(fork.info(template), undefined);
  // A 2-CPU pod fits b only (a has 1 CPU left in the fork), and the fork's first fit says so.
  assert.equal(fork.firstFit(makePod({ name: 'z', cpuMilli: 2000 }), fork.nodeInfos), fork.nodeInfos.indexOf(fork.info(b)!));
});

test("removeLastNode drops a fork's template node only, and twice on an empty list does nothing", () => {
  const { base } = cluster();
  const parent = new ClusterSnapshot(context, base);
  const fork = parent.fork();
  const t = makeNode({ name: 't', cpu: 4 });
  fork.addNode(t);
  fork.removeLastNode();
  assert.equal(fork.info(t), undefined);
  assert.equal(fork.nodeInfos.length, 2);
  assert.equal(parent.nodeInfos.length, 2);
  const empty = new ClusterSnapshot(context, []);
  empty.removeLastNode();
  assert.equal(empty.nodeInfos.length, 0);
});
