// The child process a sweep's pool forks (pool.ts): it runs each run it is sent (worker.ts's
// runOne) and answers with its outcome. Ctrl-C in a terminal reaches every process of the
// group: the child leaves it to the sweep, which stops the pool and kills its children itself,
// so that a child never records a run the sweep abandoned.
import workerpool from 'workerpool';
import { runOne } from './worker.ts';

process.on('SIGINT', () => {});
workerpool.worker({ run: runOne });
