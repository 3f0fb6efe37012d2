// pod-template-hash as upstream computes it: FNV-32a over the template (plus the collision
// count), printed in decimal and mapped onto rand.SafeEncodeString's alphabet.
import type { PodTemplate } from '../model/pod.ts';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function templateHash(template: PodTemplate, collisionCount: number): string {
  let h = 0x811c9dc5;
  const text = stableStringify(template) + (collisionCount ? String(collisionCount) : '');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const decimal = String(h);
  let out = '';
  for (let i = 0; i < decimal.length; i++) out += ALPHANUMS[decimal.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/** JSON with sorted keys, so equal templates hash equally whatever their key order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
