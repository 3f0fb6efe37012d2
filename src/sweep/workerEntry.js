// The worker a sweep starts when its pool runs from the TypeScript sources (the tests import
// src/ through tsx). A worker does not inherit the loader its parent registered (`node --import
// tsx`), so this registers tsx before loading the worker. The built CLI never comes here: from
// dist/ the pool starts dist/sweep/worker.js directly, and tsx is only a dev dependency.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
