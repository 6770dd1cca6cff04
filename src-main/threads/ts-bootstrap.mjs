// Runs a TypeScript worker entry from sources (tests, benches, tsx): registers tsx in this worker
// thread, then imports the entry named by start-worker.ts. Built apps never load this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__entry);
