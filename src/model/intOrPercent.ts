// intstr.GetScaledValueFromIntOrPercent: "25%" of a total, rounded up or down as the caller asks.
import type { IntOrPercent } from './objects.ts';

export function resolveIntOrPercent(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const pct = Number(value.slice(0, -1));
  const exact = (pct * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
