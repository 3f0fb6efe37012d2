// The fuzz tests' run worker, started from the TypeScript sources: a worker does not inherit the
// loader its parent registered (`node --import tsx`), so this registers tsx first (as
// src/sweep/workerEntry.js does for a sweep's workers).
import { register } from 'tsx/esm/api';

register();
await import('./fuzzRunWorker.ts');
