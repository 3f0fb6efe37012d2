// The JSON Schema of the scenario file, generated from the zod schema the loader validates with
// (input side: what a user may write, defaults shown), so editors can complete and check it.
// Shipped as schema/scenario.schema.json (`npm run schema`).
import { z } from 'zod';
import { scenarioSchema } from './schema.ts';

export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, {
    io: 'input',
    target: 'draft-2020-12',
    // Checks written as functions (quantity syntax, cron, ...) have no JSON Schema form; the
    // type they refine is still described.
    unrepresentable: 'any',
    // A field that must be absent (the short `hpa.metrics` item's `type`, which tells it from an
    // autoscaling/v2 MetricSpec) has no JSON form of its own: "not anything".
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === 'undefined') ctx.jsonSchema.not = {};
    },
  }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: 'capsim Scenario',
    description: 'A capsim/v1 Scenario: node pools, Kubernetes manifests or the workloads shorthand, behavior and scripted events (docs/scenario.md).',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

let fieldNames: ReadonlySet<string> | undefined;

/** Every field name the scenario format has, at any depth (computed once, on first use): a key
 *  `--set` creates is a new field, not a misspelling, when it is one of these. */
export function scenarioFieldNames(): ReadonlySet<string> {
  if (fieldNames) return fieldNames;
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key === 'properties' && child !== null && typeof child === 'object') Object.keys(child).forEach((name) => names.add(name));
        visit(child);
      }
    }
  };
  visit(scenarioJsonSchema());
  fieldNames = names;
  return names;
}
