// The notices `capsim validate` and `capsim run` print for fields a scenario or manifest sets
// that capsim accepts but does not simulate (fieldSupport.ts): one line per field and kind, with
// where it is set, e.g.
//   k8s/web.yaml:23: Deployment spec.progressDeadlineSeconds is accepted but not simulated (...)
// Only what the input says counts (defaults are never reported). Each schema is compiled once
// into the paths that lead to a listed field, so a document is walked only along those.
import type { z } from 'zod';
import { formatPath } from './errors.ts';
import { NOT_SIMULATED_BY_FIELD, type NotSimulatedField } from './fieldSupport.ts';
import { problemAt, type Site } from './problems.ts';
import { composite, fieldKey, SHARED_SCOPES, unwrap } from './schemaFields.ts';
import type { PathPart } from './source.ts';

type Schema = z.core.$ZodType;

/** Where a value may hold a listed field. */
interface Plan {
  fields?: Map<string, { entry?: NotSimulatedField; child?: Plan }>;
  items?: Plan;
  values?: Plan;
}

const plans = new Map<Schema, Plan | null>();

/** `sharedScopes`: walk into the shared types (a manifest), or stop at them (the Scenario, whose
 *  containers, affinity, ... become objects that are walked themselves). */
function compile(schema: Schema, scope: string, path: string, sharedScopes: boolean): Plan | null {
  schema = unwrap(schema);
  const shared = SHARED_SCOPES.get(schema);
  if (shared !== undefined && shared !== scope) {
    if (!sharedScopes) return null;
    if (plans.has(schema)) return plans.get(schema)!;
    plans.set(schema, null); // (no shared type contains itself)
    const plan = compile(schema, shared, '', true);
    plans.set(schema, plan);
    return plan;
  }
  const c = composite(schema);
  if ('items' in c) {
    const items = compile(c.items, scope, `${path}[]`, sharedScopes);
    return items && { items };
  }
  if ('values' in c) {
    const values = compile(c.values, scope, `${path}.*`, sharedScopes);
    return values && { values };
  }
  const fields = new Map<string, { entry?: NotSimulatedField; child?: Plan }>();
  for (const shape of c.shapes) {
    for (const [key, child] of Object.entries(shape)) {
      const fieldPath = path ? `${path}.${key}` : key;
      const entry = NOT_SIMULATED_BY_FIELD.get(fieldKey(scope, fieldPath));
      if (entry?.notice === 'never') continue;
      const below = entry && !entry.partly ? null : compile(child, scope, fieldPath, sharedScopes);
      if (entry || below) fields.set(key, { entry, child: below ?? undefined });
    }
  }
  return fields.size > 0 ? { fields } : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A value says something: not absent, not null, not an empty list. */
function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
}

interface Group {
  label: string;
  entry: NotSimulatedField;
  count: number;
  /** The first few places, kept to be located when the notices are written. */
  first: { site: Site; path: PathPart[] }[];
}

/** How many places a notice names before "and N more". */
const SHOWN = 3;

export class FieldNotices {
  private readonly groups = new Map<string, Group>();
  private readonly rootPlans = new Map<Schema, Plan | null>();

  /**
   * Notes every listed field `value` sets. `kind` names the object in the notice ("Deployment";
   * "" for the Scenario). The Scenario is walked without its shared types: its workloads become
   * objects that are recorded themselves.
   */
  record(schema: Schema, kind: string, value: unknown, site: Site): void {
    if (!this.rootPlans.has(schema)) this.rootPlans.set(schema, compile(schema, kind || 'Scenario', '', kind !== ''));
    const plan = this.rootPlans.get(schema);
    if (plan) this.walk(plan, value, [], kind, site);
  }

  private walk(plan: Plan, value: unknown, path: PathPart[], kind: string, site: Site): void {
    if (plan.items && Array.isArray(value)) value.forEach((item, i) => this.walk(plan.items!, item, [...path, i], kind, site));
    if (plan.values && isObject(value)) for (const [k, v] of Object.entries(value)) this.walk(plan.values, v, [...path, k], kind, site);
    if (!plan.fields || !isObject(value)) return;
    for (const [key, { entry, child }] of plan.fields) {
      const v = value[key];
      if (!isSet(v)) continue;
      const at = [...path, key];
      if (entry && (entry.notice === undefined || (entry.notice !== 'never' && entry.notice.when(v, value)))) this.add(entry, kind, at, site);
      else if (child) this.walk(child, v, at, kind, site);
    }
  }

  private add(entry: NotSimulatedField, kind: string, path: PathPart[], site: Site): void {
    const generic = formatPath(path.map((p) => (typeof p === 'number' ? -1 : p))).replace(/\[-1\]/g, '[]');
    const label = kind ? `${kind} ${generic}` : generic;
    let group = this.groups.get(label);
    if (!group) this.groups.set(label, (group = { label, entry, count: 0, first: [] }));
    group.count++;
    if (group.first.length < SHOWN) group.first.push({ site, path });
  }

  /** One line per field and kind, in the order of the files, then of the lines, where each is
   *  first set. */
  lines(): string[] {
    const files = new Map<string, number>();
    for (const g of this.groups.values()) if (!files.has(g.first[0].site.file)) files.set(g.first[0].site.file, files.size);
    const located = [...this.groups.values()].map((g) => ({ g, places: g.first.map(({ site, path }) => place(site, path)) }));
    located.sort((a, b) => files.get(a.g.first[0].site.file)! - files.get(b.g.first[0].site.file)! || a.places[0].line - b.places[0].line);
    return located.map(({ g, places: at }) => {
      const places = at.map((p) => p.text).join(', ');
      const more = g.count > g.first.length ? ` and ${g.count - g.first.length} more` : '';
      const says = g.entry.partly ? `: ${g.entry.reason}` : ` is accepted but not simulated (${g.entry.reason})`;
      return `${places}${more}: ${g.label}${says}`;
    });
  }
}

/** "k8s/web.yaml:23", or the flag that set it ("--set spec.x=1", line 0). */
function place(site: Site, path: PathPart[]): { text: string; line: number } {
  const p = problemAt(site, path, '', undefined, { key: true });
  if (p.line > 0) return { text: `${p.file}:${p.line}`, line: p.line };
  return { text: /\(from (.*)\)$/.exec(p.message)?.[1] ?? p.file, line: 0 };
}
