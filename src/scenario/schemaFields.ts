// Every field a schema accepts, as "Scope path" (docs/scenario.md, "Accepted but not simulated").
// A scope is a Kubernetes kind, the Scenario, or a type several kinds share (PodSpec, Container,
// ObjectMeta, ...): a shared type's fields are named once, relative to it, so that "Container
// livenessProbe" covers every pod template and the workloads shorthand's containers alike.
// Array items are written `[]`, the values of a map `*`: "PodSpec volumes[].emptyDir.sizeLimit".
import type { z } from 'zod';
import { scenarioSchema } from './schema.ts';
import { KINDS } from './kube/kinds.ts';
import { KARPENTER_KINDS } from './kube/karpenter.ts';
import { affinity, crossVersionObjectReference, labelSelector, objectMeta, taint, templateMeta, toleration, topologySpreadConstraint } from './kube/meta.ts';
import { container, podSpec, podTemplateSpec, resourceRequirements } from './kube/pod.ts';
import { jobSpec } from './kube/batch.ts';

type Schema = z.core.$ZodType;

interface Def {
  type: string;
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
  innerType?: Schema;
  options?: Schema[];
  in?: Schema;
}

function def(schema: Schema): Def {
  return schema._zod.def as unknown as Def;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch']);

/** The schema under optional / nullable / default wrappers (and the input side of a pipe). */
export function unwrap(schema: Schema): Schema {
  for (;;) {
    const d = def(schema);
    if (WRAPPERS.has(d.type)) schema = d.innerType!;
    else if (d.type === 'pipe') schema = d.in!;
    else return schema;
  }
}

/** The shared types, by schema object. A schema is entered through these instances wherever it
 *  is used, so identity finds them. */
export const SHARED_SCOPES = new Map<Schema, string>([
  [objectMeta, 'ObjectMeta'],
  [templateMeta, 'ObjectMeta'],
  [podTemplateSpec, 'PodTemplateSpec'],
  [podSpec, 'PodSpec'],
  [container, 'Container'],
  [resourceRequirements, 'ResourceRequirements'],
  [affinity, 'Affinity'],
  [toleration, 'Toleration'],
  [taint, 'Taint'],
  [topologySpreadConstraint, 'TopologySpreadConstraint'],
  [labelSelector, 'LabelSelector'],
  [jobSpec, 'JobSpec'],
  [crossVersionObjectReference, 'CrossVersionObjectReference'],
]);

/** Scopes in the order the documentation lists them. */
export const SCOPE_ORDER = [
  'Scenario', 'ObjectMeta', 'PodTemplateSpec', 'PodSpec', 'Container', 'ResourceRequirements', 'Affinity', 'Toleration',
  'TopologySpreadConstraint', 'LabelSelector', 'Taint', ...Object.keys(KINDS), ...Object.keys(KARPENTER_KINDS), 'JobSpec', 'CrossVersionObjectReference',
];

/** One field as the walk meets it. */
export interface FieldVisit {
  scope: string;
  /** Relative to the scope: "spec.template", "containers[].ports[].hostPort". */
  path: string;
  /** The field's schema, unwrapped. */
  schema: Schema;
  /** An object, a list of objects or a map of objects: its own fields say what is read. */
  structural: boolean;
}

export function fieldKey(scope: string, path: string): string {
  return `${scope} ${path}`;
}

/** The object shapes a (unwrapped) value schema holds: itself, a union's object options. */
function objectShapes(schema: Schema): Record<string, Schema>[] {
  const d = def(schema);
  if (d.type === 'object') return [d.shape!];
  if (d.type === 'union') return d.options!.flatMap((o) => objectShapes(unwrap(o)));
  return [];
}

/** What a value schema is made of: a list's items, a map's values, or objects' fields. */
export type Composite = { items: Schema } | { values: Schema } | { shapes: Record<string, Schema>[] };

export function composite(schema: Schema): Composite {
  const d = def(unwrap(schema));
  if (d.type === 'array') return { items: d.element! };
  if (d.type === 'record') return { values: d.valueType! };
  return { shapes: objectShapes(unwrap(schema)) };
}

/** Whether a field's value is made of objects with fields of their own. */
function isStructural(schema: Schema): boolean {
  const c = composite(schema);
  if ('items' in c) return isStructural(c.items);
  if ('values' in c) return isStructural(c.values);
  return c.shapes.length > 0;
}

/**
 * Visits every field under `root` (in `rootScope`), depth first. `visit` returns false to skip a
 * field's children. Entering a shared type switches to its scope; each shared scope is visited
 * once per call.
 */
export function walkFields(root: Schema, rootScope: string, visit: (f: FieldVisit) => boolean, seen = new Set<string>()): void {
  const value = (schema: Schema, scope: string, path: string): void => {
    schema = unwrap(schema);
    const shared = SHARED_SCOPES.get(schema);
    if (shared !== undefined && shared !== scope) {
      if (seen.has(shared)) return;
      seen.add(shared);
      scope = shared;
      path = '';
    }
    const c = composite(schema);
    if ('items' in c) return value(c.items, scope, `${path}[]`);
    if ('values' in c) return value(c.values, scope, `${path}.*`);
    for (const shape of c.shapes) {
      for (const [key, child] of Object.entries(shape)) {
        const fieldPath = path ? `${path}.${key}` : key;
        const inner = unwrap(child);
        if (visit({ scope, path: fieldPath, schema: inner, structural: isStructural(inner) })) value(inner, scope, fieldPath);
      }
    }
  };
  value(root, rootScope, '');
}

/** Every schema a scenario is read with: the Scenario's, and every version of every kind. */
export function rootSchemas(): { scope: string; schema: Schema }[] {
  const roots = [{ scope: 'Scenario', schema: scenarioSchema as Schema }];
  for (const [kind, spec] of Object.entries(KINDS)) for (const version of Object.values(spec.versions)) roots.push({ scope: kind, schema: version.schema });
  for (const [kind, spec] of Object.entries(KARPENTER_KINDS)) roots.push({ scope: kind, schema: spec.schema as Schema });
  return roots;
}

/** Every field of every schema, once per "Scope path". */
export function everyField(): FieldVisit[] {
  const out = new Map<string, FieldVisit>();
  const seen = new Set<string>();
  for (const { scope, schema } of rootSchemas()) {
    walkFields(schema, scope, (f) => {
      out.set(fieldKey(f.scope, f.path), f);
      return true;
    }, seen);
  }
  return [...out.values()];
}
