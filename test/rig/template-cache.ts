import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A lock older than this is from a test process that died while building: taken over. */
const STALE_LOCK_MS = 300_000;

/**
 * The folder `root/key` of a directory server template (a provisioned, loaded server the tests copy),
 * built by `build(folder)` once per machine: test files starting at once wait on a lock folder while
 * one of them builds, and a folder counts as built only once its `ready` file is written. A failed
 * build leaves nothing behind. `build` gets the final folder, already emptied.
 */
export async function cachedTemplate(root: string, key: string, build: (folder: string) => Promise<void>): Promise<string> {
  const final = path.join(root, key);
  const ready = path.join(final, 'ready');
  if (existsSync(ready)) return final;
  await mkdir(root, { recursive: true });
  const lock = path.join(root, `${key}.lock`);
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (existsSync(ready)) return final;
      const age = Date.now() - (await stat(lock).then((s) => s.mtimeMs, () => Date.now()));
      if (age > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (existsSync(ready)) return final;
    await rm(final, { recursive: true, force: true });
    await build(final);
    await writeFile(ready, new Date().toISOString());
    return final;
  } catch (e) {
    await rm(final, { recursive: true, force: true });
    throw e;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
