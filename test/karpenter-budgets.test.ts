// NodePool disruption budgets (src/karpenter/budgets.ts) against upstream's own cases:
// kubernetes-sigs/karpenter@2266468104f3:pkg/apis/v1/nodepool_budgets_test.go, converted It for It
// (same budgets, clock and expected numbers), then BuildDisruptionBudgetMapping
// (pkg/controllers/disruption/helpers.go) worked by hand, and properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DisruptionBudget } from '../src/model/karpenter.ts';
import {
  DEFAULT_BUDGETS, DISRUPTION_REASONS, MAX_INT32, allowedDisruptionsByReason, budgetAllowedDisruptions, budgetIsActive,
  disruptionBudgetMapping, mustAllowedDisruptions, scaledNodes, type BudgetNodeView,
} from '../src/karpenter/budgets.ts';

// "Set the time to the middle of the year of 2000": 2000-06-15 12:30:30 UTC.
const NOW = Date.UTC(2000, 5, 15, 12, 30, 30);

/** upstream's BeforeEach budgets (all active "* * * * *" for 1h except the @weekly one). */
function upstreamBudgets(): DisruptionBudget[] {
  return [
    { nodes: '10', schedule: '* * * * *', duration: '1h' },
    { nodes: '100', schedule: '* * * * *', duration: '1h' },
    { nodes: '100%', schedule: '* * * * *', duration: '1h' },
    { reasons: ['Drifted', 'Underutilized'], nodes: '15', schedule: '* * * * *', duration: '1h' },
    { reasons: ['Drifted'], nodes: '5', schedule: '* * * * *', duration: '1h' },
    { reasons: ['Underutilized', 'Drifted', 'Empty'], nodes: '0', schedule: '@weekly', duration: '1h' },
  ];
}

test('GetAllowedDisruptionsByReason: 0 for all reasons if a budget is active for all reasons', () => {
  const budgets = upstreamBudgets();
  budgets[5] = { ...budgets[5], schedule: '* * * * *', duration: '1h' };
  for (const reason of DISRUPTION_REASONS) assert.deepEqual(allowedDisruptionsByReason(budgets, 100, reason, NOW), { value: 0, errors: [] }, reason);
});

test('GetAllowedDisruptionsByReason: MaxInt32 for all reasons when there are no active budgets', () => {
  const budgets = upstreamBudgets().map((b) => ({ ...b, schedule: '@yearly', duration: '1h' }));
  for (const reason of DISRUPTION_REASONS) assert.deepEqual(allowedDisruptionsByReason(budgets, 100, reason, NOW), { value: 2_147_483_647, errors: [] }, reason);
});

test('GetAllowedDisruptionsByReason: reason-defined budgets are ignored when inactive', () => {
  const budgets = upstreamBudgets();
  budgets[3] = { ...budgets[3], schedule: '@yearly' };
  budgets[4] = { ...budgets[4], schedule: '@yearly' };
  // budget 0 (nodes 10, all reasons) is then the minimum; the @weekly 0 is not active on a Thursday.
  for (const reason of DISRUPTION_REASONS) assert.equal(allowedDisruptionsByReason(budgets, 100, reason, NOW).value, 10, reason);
});

test('GetAllowedDisruptionsByReason: a budget without reasons applies to every reason', () => {
  const budgets = upstreamBudgets().slice(0, 1);
  assert.equal(budgets[0].reasons, undefined);
  for (const reason of DISRUPTION_REASONS) assert.equal(allowedDisruptionsByReason(budgets, 100, reason, NOW).value, 10, reason);
});

test('GetAllowedDisruptionsByReason: the minimum budget for each reason', () => {
  const budgets = [...upstreamBudgets(), { schedule: '* * * * *', nodes: '4', duration: '1h', reasons: ['Empty'] }];
  assert.equal(allowedDisruptionsByReason(budgets, 100, 'Empty', NOW).value, 4);
  assert.equal(allowedDisruptionsByReason(budgets, 100, 'Drifted', NOW).value, 5);
  // "The budget where reason == nil overrides the budget with a specified reason": 10 < 15.
  assert.equal(allowedDisruptionsByReason(budgets, 100, 'Underutilized', NOW).value, 10);
});

test('AllowedDisruptions: zero if a schedule is invalid (@wrongly)', () => {
  const r = budgetAllowedDisruptions({ ...upstreamBudgets()[0], schedule: '@wrongly' }, 100, NOW);
  assert.equal(r.value, 0);
  assert.match(r.error ?? '', /invalid cron/);
});

test('AllowedDisruptions: zero if a nodes value is invalid (1000a%)', () => {
  const r = budgetAllowedDisruptions({ ...upstreamBudgets()[0], nodes: '1000a%' }, 100, NOW);
  assert.equal(r.value, 0);
  assert.ok(r.error);
});

test('AllowedDisruptions: MaxInt32 when a budget is inactive, the int or the percentage when active', () => {
  assert.deepEqual(budgetAllowedDisruptions({ ...upstreamBudgets()[0], schedule: '@yearly', duration: '1h' }, 100, NOW), { value: MAX_INT32 });
  assert.deepEqual(budgetAllowedDisruptions(upstreamBudgets()[0], 100, NOW), { value: 10 });
  assert.deepEqual(budgetAllowedDisruptions(upstreamBudgets()[2], 100, NOW), { value: 100 }); // 100% of 100
});

test('IsActive: the schedule and the time are UTC', () => {
  // time.Date(2000, time.June, 0, 0, 0, 0, 0, FixedZone(+1h)) = May 31 00:00 +01:00 = May 30 23:00 UTC:
  // @daily for 30m last hit May 30 00:00 UTC, so inactive (it would be active read as local time).
  const now = Date.UTC(2000, 4, 31, 0, 0, 0) - 3_600_000;
  assert.deepEqual(budgetIsActive({ nodes: '10', schedule: '@daily', duration: '30m' }, now), { active: false });
});

test('IsActive: active without schedule and duration; "* * * * *" 1h active; @yearly 1h inactive', () => {
  assert.deepEqual(budgetIsActive({ nodes: '10' }, NOW), { active: true });
  assert.deepEqual(budgetIsActive(upstreamBudgets()[0], NOW), { active: true });
  assert.deepEqual(budgetIsActive({ ...upstreamBudgets()[0], schedule: '@yearly' }, NOW), { active: false });
});

test('IsActive: active when the schedule hit is in the middle of the duration (year 1000)', () => {
  // 1000-01-01 12:00 UTC, @yearly for 24h: hit at 00:00 that day.
  const now = Date.UTC(1000, 0, 1, 12, 0, 0);
  assert.deepEqual(budgetIsActive({ nodes: '10', schedule: '@yearly', duration: '24h' }, now), { active: true });
});

test('IsActive: active when the duration is longer than the recurrence; inactive after the window', () => {
  const now = Date.UTC(2024, 0, 7, 0, 0, 0); // a Sunday
  assert.deepEqual(budgetIsActive({ nodes: '10', schedule: '@daily', duration: '48h' }, now), { active: true });
  // 30 6 * * SUN for 6h: last hit Sunday Dec 31 06:30, ended 12:30; the next is 06:30 today, later.
  assert.deepEqual(budgetIsActive({ nodes: '10', schedule: '30 6 * * SUN', duration: '6h' }, now), { active: false });
});

test('IsActive: says why a cron fails to parse (0 0 * * tue-mon)', () => {
  const r = budgetIsActive({ nodes: '10', schedule: '0 0 * * tue-mon', duration: '6h' }, Date.UTC(2024, 0, 7));
  assert.equal(r.active, false);
  assert.match(r.error ?? '', /invalid cron/);
});

// ---- where capsim's cron parser and robfig differ ---------------------------------------------

test('a day-of-week 7 is an error as robfig says (its range is 0-6), so the NodePool allows 0', () => {
  const budgets: DisruptionBudget[] = [{ nodes: '50%' }, { nodes: '5', schedule: '0 0 * * 7', duration: '1h', reasons: ['Drifted'] }];
  const r = allowedDisruptionsByReason(budgets, 10, 'Empty', NOW);
  assert.equal(r.value, 5, 'the bad budget only lists Drifted, so Empty takes 50% of 10');
  assert.match(r.errors[0], /above maximum \(6\)/);
  assert.equal(mustAllowedDisruptions(budgets, 10, 'Empty', NOW), 0, 'MustGetAllowedDisruptions fails closed on any error');
  assert.equal(budgetIsActive({ nodes: '1', schedule: '0 0 * * 0', duration: '1h' }, Date.UTC(2024, 0, 7, 0, 30)).active, true, '0 is Sunday');
});

test('a schedule that never fires (Feb 30) is always active, as robfig\'s zero time is never after now', () => {
  assert.deepEqual(budgetIsActive({ nodes: '0', schedule: '0 0 30 2 *', duration: '1h' }, NOW), { active: true });
});

test('a TZ= in the schedule is an error (upstream parses "TZ=UTC TZ=... ..." as six fields)', () => {
  assert.ok(budgetIsActive({ nodes: '1', schedule: 'TZ=Europe/Paris 0 0 * * *', duration: '1h' }, NOW).error);
});

test('window edges: active from the hit (inclusive) to hit + duration (exclusive)', () => {
  const b: DisruptionBudget = { nodes: '1', schedule: '0 9 * * *', duration: '1h30m' };
  const hit = Date.UTC(2024, 0, 8, 9, 0);
  assert.equal(budgetIsActive(b, hit - 1).active, false);
  assert.equal(budgetIsActive(b, hit).active, true);
  assert.equal(budgetIsActive(b, hit + 90 * 60_000 - 1).active, true);
  assert.equal(budgetIsActive(b, hit + 90 * 60_000).active, false);
});

test('percentages round up (intstr roundUp = true): 10% of 5 nodes is 1, of 0 nodes 0; counts are not capped', () => {
  assert.equal(scaledNodes('10%', 5).value, 1);
  assert.equal(scaledNodes('10%', 0).value, 0);
  assert.equal(scaledNodes('10%', 11).value, 2);
  assert.equal(scaledNodes('0%', 100).value, 0);
  assert.equal(scaledNodes('500', 10).value, 500);
  assert.equal(mustAllowedDisruptions(DEFAULT_BUDGETS, 25, 'Drifted', NOW), 3, 'the default 10% of 25 = 2.5, rounded up');
  assert.equal(mustAllowedDisruptions([], 25, 'Drifted', NOW), MAX_INT32, 'an explicit empty list is unbounded');
});

// ---- BuildDisruptionBudgetMapping --------------------------------------------------------------

const node = (over: Partial<BudgetNodeView> = {}): BudgetNodeView => ({
  nodePool: 'default', managed: true, initialized: true, instanceTerminating: false, ready: true, markedForDeletion: false, ...over,
});

test('disruptionBudgetMapping: counts managed initialized nodes, subtracts NotReady and deleting ones', () => {
  const pool = { name: 'default', disruption: { budgets: [{ nodes: '20%' }] } };
  const nodes = [
    node(), node(), node(), node(), node(), node(), // 6 healthy
    node({ ready: false }), // counted, disrupting
    node({ markedForDeletion: true }), // counted, disrupting
    node({ initialized: false }), // not counted
    node({ managed: false }), // not counted
    node({ instanceTerminating: true, markedForDeletion: true }), // not counted
    node({ nodePool: 'other' }), // another NodePool
  ];
  // 8 counted: ceil(20% of 8 = 1.6) = 2 allowed, 2 disrupting, 0 remaining.
  assert.deepEqual(disruptionBudgetMapping(pool, nodes, 'Underutilized', NOW), { remaining: 0, allowed: 2, nodes: 8, disrupting: 2, blocked: false });
  const roomy = { name: 'default', disruption: { budgets: [{ nodes: '5' }] } };
  assert.equal(disruptionBudgetMapping(roomy, nodes, 'Empty', NOW).remaining, 3, '5 allowed - 2 disrupting');
  const tight = { name: 'default', disruption: { budgets: [{ nodes: '1' }] } };
  assert.equal(disruptionBudgetMapping(tight, nodes, 'Empty', NOW).remaining, 0, 'never negative: max(1 - 2, 0)');
});

test('disruptionBudgetMapping: blocked when the NodePool has nodes and 0 allowed; not with no nodes', () => {
  const pool = { name: 'default', disruption: { budgets: [{ nodes: '0', reasons: ['Drifted' as const] }] } };
  assert.equal(disruptionBudgetMapping(pool, [node()], 'Drifted', NOW).blocked, true);
  assert.equal(disruptionBudgetMapping(pool, [node()], 'Empty', NOW).allowed, MAX_INT32);
  assert.equal(disruptionBudgetMapping(pool, [], 'Drifted', NOW).blocked, false);
});

// ---- properties --------------------------------------------------------------------------------

const budgetArb = fc.record({
  nodes: fc.oneof(fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`), fc.integer({ min: 0, max: 1000 }).map(String)),
  window: fc.option(fc.record({
    schedule: fc.constantFrom('@daily', '@hourly', '@weekly', '@yearly', '0 9 * * 1-5', '*/15 * * * *', '30 6 * * SUN', '0 0 1 * *'),
    duration: fc.constantFrom('10m', '1h', '1h30m', '24h', '48h'),
  }), { nil: undefined }),
  reasons: fc.option(fc.subarray([...DISRUPTION_REASONS], { minLength: 1 }), { nil: undefined }),
}).map(({ nodes, window, reasons }): DisruptionBudget => ({ nodes, ...window, ...(reasons ? { reasons } : {}) }));

test('property: allowed disruptions are never negative; percentages never exceed the node count; the minimum of the applicable active budgets', () => {
  fc.assert(fc.property(
    fc.array(budgetArb, { maxLength: 6 }), fc.integer({ min: 0, max: 500 }), fc.constantFrom(...DISRUPTION_REASONS),
    fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
    (budgets, n, reason, now) => {
      const { value, errors } = allowedDisruptionsByReason(budgets, n, reason, now);
      assert.deepEqual(errors, []);
      assert.ok(value >= 0);
      const applicable = budgets.filter((b) => (b.reasons === undefined || b.reasons.includes(reason)) && budgetIsActive(b, now).active);
      if (applicable.length === 0) assert.equal(value, MAX_INT32, 'no active budget applies: unbounded');
      else if (applicable.every((b) => b.nodes.endsWith('%'))) assert.ok(value <= n, `${value} <= ${n}`);
      // The always-active budgets bound it from above; the 10% default does when it is the only one.
      assert.equal(mustAllowedDisruptions([...budgets, ...DEFAULT_BUDGETS], n, reason, now), Math.min(value, Math.ceil(n / 10)));
    },
  ));
});

test('property: the mapping never goes negative and never exceeds what the budgets allow', () => {
  const nodeArb = fc.record({
    nodePool: fc.constantFrom('default', 'other'), managed: fc.boolean(), initialized: fc.boolean(), instanceTerminating: fc.boolean(),
    ready: fc.boolean(), markedForDeletion: fc.boolean(),
  });
  fc.assert(fc.property(fc.array(budgetArb, { maxLength: 4 }), fc.array(nodeArb, { maxLength: 40 }), fc.constantFrom(...DISRUPTION_REASONS), (budgets, nodes, reason) => {
    const m = disruptionBudgetMapping({ name: 'default', disruption: { budgets } }, nodes, reason, NOW);
    assert.ok(m.remaining >= 0 && m.remaining <= m.allowed);
    assert.ok(m.disrupting <= m.nodes && m.nodes <= nodes.length);
    assert.equal(m.remaining, Math.max(m.allowed - m.disrupting, 0));
  }));
});
