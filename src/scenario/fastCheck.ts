// A fast yes/no pre-check for schemas without defaults or transforms (the Kubernetes object
// schemas), derived from the zod schema itself. zod's object parser runs every field of the
// shape, present or not (a PodSpec has ~50), which makes the first pass over thousands of pods
// slow; this check visits only the keys an object has. Structure (objects, arrays, records,
// optional, nullable, unions) is walked here; every leaf and every refinement is zod's own code.
// When the answer is "valid", zod's output would equal the input, so the input is used as is;
// otherwise zod runs and reports the problems.
import type { z } from 'zod';

type Check = (value: unknown) => boolean;

interface Def {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  catchall?: z.core.$ZodType;
  element?: z.core.$ZodType;
  keyType?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  checks?: z.core.$ZodCheck[];
}

const compiled = new WeakMap<z.core.$ZodType, Check | null>();

/** A predicate that is true only for values the schema accepts unchanged; null when the schema
 *  (or a part of it) could change the value (defaults, transforms), so zod must always run. */
export function fastCheck(schema: z.core.$ZodType): Check | null {
  if (compiled.has(schema)) return compiled.get(schema)!;
  compiled.set(schema, null); // a recursive schema is not fast-checked
  const check = compile(schema);
  compiled.set(schema, check);
  return check;
}

function def(schema: z.core.$ZodType): Def {
  return schema._zod.def as unknown as Def;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** zod's own refinements of a composite schema (array min length, object-level checks, ...). */
function refinements(schema: z.core.$ZodType): Check {
  const checks = def(schema).checks ?? [];
  if (checks.length === 0) return () => true;
  return (value) => {
    const payload = { value, issues: [] as unknown[] };
    for (const c of checks) {
      (c._zod.check as (p: unknown) => unknown)(payload);
      if (payload.issues.length) return false;
    }
    return true;
  };
}

/** A leaf (or anything not walked here): ask zod. */
function delegate(schema: z.core.$ZodType): Check {
  const s = schema as unknown as z.ZodType;
  return (value) => s.safeParse(value).success;
}

function compile(schema: z.core.$ZodType): Check | null {
  const d = def(schema);
  switch (d.type) {
    case 'object': {
      // Strict (catchall never) rejects unknown keys, loose (catchall unknown) keeps them; the
      // default mode strips them, which changes the value.
      if (d.catchall === undefined) return null;
      const strict = def(d.catchall).type === 'never';
      if (!strict && def(d.catchall).type !== 'unknown') return null;
      const fields = new Map<string, Check>();
      const required: string[] = [];
      for (const [key, child] of Object.entries(d.shape ?? {})) {
        const optin = child._zod.optin;
        if (optin !== undefined && optin !== 'optional') return null; // defaulted: zod fills a value
        if (optin === undefined) required.push(key);
        const c = fastCheck(child);
        if (!c) return null;
        fields.set(key, c);
      }
      const refine = refinements(schema);
      return (value) => {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
        const o = value as Record<string, unknown>;
        for (const key in o) {
          const c = fields.get(key);
          if (c === undefined) {
            if (strict) return false;
            continue;
          }
          if (!c(o[key])) return false;
        }
        for (const key of required) if (!(key in o)) return false;
        return refine(value);
      };
    }
    case 'array': {
      const element = fastCheck(d.element!);
      if (!element) return null;
      const refine = refinements(schema);
      return (value) => {
        if (!Array.isArray(value)) return false;
        for (const item of value) if (!element(item)) return false;
        return refine(value);
      };
    }
    case 'record': {
      const key = fastCheck(d.keyType!);
      const val = fastCheck(d.valueType!);
      if (!key || !val || (d.keyType!._zod as { values?: unknown }).values) return null;
      const refine = refinements(schema);
      return (value) => {
        if (!isPlainObject(value)) return false;
        for (const k in value) if (!key(k) || !val(value[k])) return false;
        return refine(value);
      };
    }
    case 'optional': {
      const inner = fastCheck(d.innerType!);
      if (!inner || (d.checks ?? []).length) return null;
      return (value) => value === undefined || inner(value);
    }
    case 'nullable': {
      const inner = fastCheck(d.innerType!);
      if (!inner || (d.checks ?? []).length) return null;
      return (value) => value === null || inner(value);
    }
    case 'union': {
      const options = (d.options ?? []).map(fastCheck);
      if (options.some((o) => !o)) return null;
      return withRefinements(schema, (value) => options.some((o) => o!(value)));
    }
    case 'string':
      return withRefinements(schema, (value) => typeof value === 'string');
    case 'number':
      // z.number() refuses NaN and the infinities.
      return withRefinements(schema, (value) => typeof value === 'number' && Number.isFinite(value));
    case 'boolean':
      return withRefinements(schema, (value) => typeof value === 'boolean');
    case 'enum':
    case 'literal': {
      const values = (schema._zod as { values?: Set<unknown> }).values;
      return values ? withRefinements(schema, (value) => values.has(value)) : delegate(schema);
    }
    case 'unknown':
    case 'any':
      return withRefinements(schema, () => true);
    default:
      return LEAVES.has(d.type) ? delegate(schema) : null;
  }
}

/** The base test, then zod's own checks (min, regex, int, custom checks...) on the value. */
function withRefinements(schema: z.core.$ZodType, base: Check): Check {
  const checks = def(schema).checks ?? [];
  if (checks.length === 0) return base;
  const refine = refinements(schema);
  return (value) => base(value) && refine(value);
}

/** Other types that never change their input: validated by zod itself. */
const LEAVES = new Set(['null', 'int', 'bigint', 'date']);
