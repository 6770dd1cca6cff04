import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestPki, type TestPki } from './certs';
import { trackLeftovers } from './cleanup';

let cached: Promise<TestPki> | undefined;

/**
 * One PKI per test process (created on first use, ~0.2 s, removed when the process exits),
 * so each slapd start doesn't pay for certificate generation again.
 */
export function sharedTestPki(): Promise<TestPki> {
  cached ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lss-pki-'));
    trackLeftovers([], dir);
    return createTestPki(dir);
  })();
  return cached;
}
