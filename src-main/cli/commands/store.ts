import type { CommandSpec } from '../command';

/** `ldap-sync store check`: SQLite's own checks of the store file, with what to do about damage. */
export const storeCheck: CommandSpec = {
  group: 'store',
  name: 'check',
  args: [],
  summary: 'Check the store file for damage',
  description: `Checks the store (--db, $LDAP_SYNC_DB or the app's store) with SQLite's own checks,
read-only, without upgrading it: every page, record and index (integrity_check) and every link
between tables (foreign keys). --quick checks pages and records only (faster on a large store;
it is what every sync runs before it writes).
Exit status 0 when the store is sound, 1 when it is damaged: the output lists the damage, the
backups found next to the store, and how to recover. With --json: { file, ok, depth, problems,
backups }.`,
  options: {
    quick: { type: 'boolean', help: 'Check pages and records only, not indexes and links' },
  },
  async run(ctx) {
    const { resolveStorePath } = await import('../../store/store-path');
    const { checkStoreFile, upgradeBackups } = await import('../../store/integrity');
    const file = resolveStorePath({ db: typeof ctx.flags.db === 'string' ? ctx.flags.db : undefined, env: ctx.io.env });
    const check = checkStoreFile(file, ctx.flags.quick === true ? 'quick' : 'full');
    const backups = upgradeBackups(file);
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify({ file, ...check, backups }, null, 2)}\n`);
      return check.ok ? 0 : 1;
    }
    const what = check.depth === 'full' ? 'pages, records, indexes and links' : 'pages and records';
    if (check.ok) {
      ctx.io.stdout(`The store ${file} is sound (checked: ${what}).\n`);
      return 0;
    }
    const lines = [`The store ${file} is DAMAGED (checked: ${what}):`, ...check.problems.map((p) => `  - ${p}`), ''];
    lines.push('Syncs will not write to it (they stop with STORE_DAMAGED, changing nothing). To recover:');
    if (backups.length > 0) lines.push(`  - restore a backup: copy one of these over the store while the app is closed:`, ...backups.map((b) => `      ${b}`));
    lines.push('  - or start a fresh store and apply your config: ldap-sync --db NEW_FILE config apply CONFIG.json',
      '    (users and history come back with the next sync; the run history of the damaged store is lost)');
    ctx.io.stdout(`${lines.join('\n')}\n`);
    return 1;
  },
};

/** `ldap-sync store backup FILE`: a consistent, owner-only copy of the store. */
export const storeBackup: CommandSpec = {
  group: 'store',
  name: 'backup',
  args: ['FILE'],
  summary: 'Write a consistent copy of the store to FILE',
  description: `Writes a consistent copy of the store (as of its last commit, compacted) to FILE, readable
by its owner only (mode 0600). Safe while the app or a sync uses the store. Refuses an existing FILE.
A backup is also made automatically before each upgrade of the store's schema, next to it:
STORE.before-v<N>.bak. To restore one, copy it over the store while the app is closed.`,
  options: {},
  async run(ctx) {
    const path = await import('node:path');
    const { resolveStorePath } = await import('../../store/store-path');
    const { backupStoreFile } = await import('../../store/integrity');
    const file = resolveStorePath({ db: typeof ctx.flags.db === 'string' ? ctx.flags.db : undefined, env: ctx.io.env });
    const target = path.resolve(ctx.args[0]!);
    backupStoreFile(file, target);
    if (ctx.json) ctx.io.stdout(`${JSON.stringify({ file, backup: target })}\n`);
    else ctx.io.stdout(`Wrote a backup of ${file} to ${target}.\n`);
    return 0;
  },
};
