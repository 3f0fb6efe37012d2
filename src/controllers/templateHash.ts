// pod-template-hash as upstream computes it: FNV-32a over the template (plus the collision
// count), printed in decimal and mapped onto rand.SafeEncodeString's alphabet.
import type { PodTemplate } from '../model/pod.ts';
import { stableStringify } from '../model/templates.ts';

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
