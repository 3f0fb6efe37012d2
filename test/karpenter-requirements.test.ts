// Karpenter's scheduling requirements (src/karpenter/requirements.ts) against upstream's own
// test tables: kubernetes-sigs/karpenter@22664681:pkg/scheduling/requirement_test.go and
// requirements_test.go, converted entry for entry (test/support/karpenter*Tables.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Requirement } from '../src/karpenter/requirements.ts';
import {
  CORE_WELL_KNOWN_LABELS, LABEL_INSTANCE_TYPE, LABEL_ZONE, WELL_KNOWN_LABELS, allows, compatible, intersection, operatorOf,
  requirement, requirementString, requirements, restrictedLabelError,
} from '../src/karpenter/requirements.ts';
import * as R from './support/karpenterRequirementTables.ts';
import * as C from './support/karpenterRequirementsTables.ts';

const show = (r: Requirement) => requirementString(r);

for (const [name, table] of [
  ['two requirements without minValues', R.INTERSECT_WITHOUT_MIN_VALUES],
  ['a requirement with minValues and one without', R.INTERSECT_WITH_MIN_VALUES_ONE_SIDE],
  ['two requirements with minValues', R.INTERSECT_WITH_MIN_VALUES_BOTH],
] as const) {
  test(`upstream's intersection table: ${name} (${table.length} entries)`, () => {
    assert.ok(table.length >= 196, '14 requirements x 14 (upstream repeats one with minValues)');
    for (const [existing, incoming, expected] of table) {
      assert.deepEqual(intersection(existing, incoming), expected, `${show(existing)} ∩ ${show(incoming)}`);
    }
  });
}

test("upstream's Has table: which values each requirement allows", () => {
  assert.ok(R.HAS.length >= 56);
  for (const [r, value, expected] of R.HAS) assert.equal(allows(r, value), expected, `${show(r)} has ${value}`);
});

test("upstream's Operator and String tables", () => {
  const cases: [Requirement, string, string][] = [
    [R.exists, 'Exists', 'key Exists'], [R.doesNotExist, 'DoesNotExist', 'key DoesNotExist'],
    [R.inAB, 'In', 'key In [A B]'], [R.notInA, 'NotIn', 'key NotIn [A]'], [R.notIn12, 'NotIn', 'key NotIn [1 2]'],
    [R.greaterThan1, 'Exists', 'key Exists >=2'], [R.greaterThan9, 'Exists', 'key Exists >=10'],
    [R.lessThan1, 'Exists', 'key Exists <=0'], [R.lessThan9, 'Exists', 'key Exists <=8'],
    [intersection(R.greaterThan1, R.lessThan9), 'Exists', 'key Exists >=2 <=8'],
    [intersection(R.greaterThan9, R.lessThan1), 'DoesNotExist', 'key DoesNotExist'],
  ];
  for (const [r, op, s] of cases) {
    assert.equal(operatorOf(r), op);
    assert.equal(requirementString(r), s);
  }
});

test("upstream's Gte and Lte cases: inclusive bounds, the tighter one kept", () => {
  const gte2 = requirement('key', 'Gte', ['2']);
  const lte8 = requirement('key', 'Lte', ['8']);
  assert.deepEqual(['0', '1', '2', '3', '100'].map((v) => allows(gte2, v)), [false, false, true, true, true]);
  assert.deepEqual(['0', '7', '8', '9', '10'].map((v) => allows(lte8, v)), [true, true, true, false, false]);
  const both = intersection(gte2, lte8);
  assert.deepEqual(['1', '2', '5', '8', '9'].map((v) => allows(both, v)), [false, true, true, true, false]);
  assert.equal(intersection(requirement('key', 'Gt', ['4']), requirement('key', 'Gte', ['5'])).gte, 5);
  assert.equal(intersection(requirement('key', 'Gt', ['5']), requirement('key', 'Gte', ['5'])).gte, 6);
  assert.equal(intersection(requirement('key', 'Gt', ['3']), requirement('key', 'Gte', ['6'])).gte, 6);
  assert.equal(intersection(requirement('key', 'Lt', ['5']), requirement('key', 'Lte', ['5'])).lte, 4);
  assert.equal(intersection(requirement('key', 'Lt', ['9']), requirement('key', 'Lte', ['5'])).lte, 5);
  assert.deepEqual([allows(requirement('key', 'Gte', ['0']), '0'), allows(requirement('key', 'Gte', ['0']), '-1')], [true, false]);
  assert.deepEqual([allows(requirement('key', 'Lte', ['0']), '0'), allows(requirement('key', 'Lte', ['0']), '1')], [true, false]);
  // Gt MaxInt matches nothing (capsim's MaxInt is Number.MAX_SAFE_INTEGER)
  assert.equal(operatorOf(requirement('key', 'Gt', [String(Number.MAX_SAFE_INTEGER)])), 'DoesNotExist');
  // A non-integer bound (the schema refuses it first) matches nothing rather than throwing
  assert.equal(operatorOf(requirement('key', 'Gt', ['two'])), 'DoesNotExist');
});

test("upstream's compatibility table with well-known labels allowed undefined", () => {
  assert.equal(C.COMPATIBLE_ALLOW_UNDEFINED_WELL_KNOWN.length, 225, '15 x 15');
  C.COMPATIBLE_ALLOW_UNDEFINED_WELL_KNOWN.forEach(([existing, incoming, ok], i) => {
    assert.equal(compatible(existing, incoming, { allowUndefined: CORE_WELL_KNOWN_LABELS }) === undefined, ok, `entry ${i}`);
  });
});

test("upstream's strict compatibility table", () => {
  assert.equal(C.COMPATIBLE_STRICT.length, 225, '15 x 15');
  C.COMPATIBLE_STRICT.forEach(([existing, incoming, ok], i) => {
    assert.equal(compatible(existing, incoming) === undefined, ok, `entry ${i}`);
  });
});

test('normalized labels: the beta zone and instance-type keys read as the stable ones', () => {
  const rs = requirements(requirement('failure-domain.beta.kubernetes.io/zone', 'In', ['test']), requirement('beta.kubernetes.io/instance-type', 'In', ['m5.large']));
  assert.deepEqual([...rs.keys()].sort(), [LABEL_INSTANCE_TYPE, LABEL_ZONE]);
});

test("upstream's error messages: truncations and typos of well-known labels hint the label", () => {
  const cases: [string, string][] = [
    ['zone', 'label "zone" does not have known values (typo of "topology.kubernetes.io/zone"?)'],
    ['region', 'label "region" does not have known values (typo of "topology.kubernetes.io/region"?)'],
    ['nodepool', 'label "nodepool" does not have known values (typo of "karpenter.sh/nodepool"?)'],
    ['instance-type', 'label "instance-type" does not have known values (typo of "node.kubernetes.io/instance-type"?)'],
    ['arch', 'label "arch" does not have known values (typo of "kubernetes.io/arch"?)'],
    ['capacity-type', 'label "capacity-type" does not have known values (typo of "karpenter.sh/capacity-type"?)'],
    ['topology.kubernetesio/zone', 'label "topology.kubernetesio/zone" does not have known values (typo of "topology.kubernetes.io/zone"?)'],
    ['node.io/zone', 'label "node.io/zone" does not have known values (typo of "topology.kubernetes.io/zone"?)'],
    ['topology.kubernetes.io/regio', 'label "topology.kubernetes.io/regio" does not have known values (typo of "topology.kubernetes.io/region"?)'],
    ['node.kubernetes.io/region', 'label "node.kubernetes.io/region" does not have known values (typo of "topology.kubernetes.io/region"?)'],
    ['karpenter/nodepool', 'label "karpenter/nodepool" does not have known values (typo of "karpenter.sh/nodepool"?)'],
  ];
  for (const [label, message] of cases) {
    // with the AWS labels too: core's are preferred, so "zone" does not hint topology.k8s.aws/zone-id
    for (const allowUndefined of [CORE_WELL_KNOWN_LABELS, WELL_KNOWN_LABELS]) {
      assert.equal(compatible(requirements(), requirements(requirement(label, 'Exists')), { allowUndefined }), message);
    }
  }
  assert.equal(compatible(requirements(), requirements(requirement('deployment', 'Exists'))), 'label "deployment" does not have known values');
});

test('restricted labels: karpenter.sh and karpenter.k8s.aws domains and kubernetes.io/hostname, well-known ones excepted', () => {
  assert.equal(restrictedLabelError('karpenter.sh/capacity-type'), undefined);
  assert.equal(restrictedLabelError('karpenter.k8s.aws/instance-family'), undefined);
  assert.equal(restrictedLabelError('team'), undefined);
  assert.match(restrictedLabelError('karpenter.sh/custom') ?? '', /not allowed/);
  assert.match(restrictedLabelError('sub.karpenter.k8s.aws/x') ?? '', /not allowed/);
  assert.match(restrictedLabelError('kubernetes.io/hostname') ?? '', /not allowed/);
});
