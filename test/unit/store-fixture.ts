import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src-main/store/db';

/** Runs `fn` on a new store in a temp folder, removed afterwards. */
export function withStore<T>(fn: (store: Store) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'lss-store-'));
  const store = openStore(join(dir, 'store.sqlite'));
  try {
    return fn(store);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs async `fn` on a new store in a temp folder, removed once `fn` has settled. */
export async function withStoreAsync<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'lss-store-'));
  const store = openStore(join(dir, 'store.sqlite'));
  try {
    return await fn(store);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
