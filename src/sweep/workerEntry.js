// The file a sweep's worker_thread starts: capsim runs TypeScript through tsx, and a worker does
// not inherit the loader its parent registered (neither bin/capsim.js's in-process register()
// nor `node --import tsx`), so it registers tsx for itself before loading the worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
