// CPU and memory as people read them, in a manifest's units (1385m, 2, 15.83Gi, 757Mi): the
// report's tables and the terminal's advice show the same figures the same way.

export function cpu(milli: number | null): string {
  if (milli === null) return '–';
  return milli >= 1000 && milli % 100 === 0 ? `${milli / 1000}` : `${Math.round(milli)}m`;
}

export function memory(bytes: number | null): string {
  if (bytes === null) return '–';
  const gib = bytes / 2 ** 30;
  return gib >= 1 ? `${Number(gib.toFixed(2))}Gi` : `${Math.round(bytes / 2 ** 20)}Mi`;
}
