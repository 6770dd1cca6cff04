import { randomUUID } from 'node:crypto';
import type { PasswordInput, WindowPasswordInput } from '../../src-shared/domain/server';
import { AppError } from '../../src-shared/errors';
import type { AppContext } from '../app-context';
import type { Handlers } from './router';
import { ldifFileSize } from '../services/ldif-import';
import { runScriptTests } from '../scripts/test-cases';
import { normalizeScripts } from '../services/script-checks';
import { detectBaseForDraft } from '../services/detect-base';

/** What a file dialog is for: its title and filters. */
export type FilePurpose = 'bindPassword' | 'ldif';

/** What the handlers need from the desktop around them. */
export interface HandlerOptions {
  /**
   * Shows the OS file dialog (for a bind password file, or an LDIF file to import) and resolves with
   * the chosen path, or null when cancelled. Electron's dialog in the app; absent where there is no
   * dialog (then the methods refuse).
   */
  chooseFile?: (purpose: FilePurpose) => Promise<string | null>;
}

/** Binds every contract method to the services of an app context. Thin: logic lives in the services. */
export function createHandlers(app: AppContext, opts: HandlerOptions = {}): Handlers {
  const running = new Map<string, AbortController>();
  // Files the admin chose in main's dialog, by the opaque token the window got for each.
  const chosenFiles = new Map<string, string>();
  // LDIF files chosen for import, apart: a password file's token never names a file to import, nor the reverse.
  const chosenLdifFiles = new Map<string, string>();
  /** The password input the services take: a chosen file's token becomes its path here, in main. */
  const password = (input: WindowPasswordInput): PasswordInput => {
    if (input.kind !== 'chosenFile') return input;
    const path = chosenFiles.get(input.token);
    if (!path) throw new AppError('INVALID_INPUT', 'That password file was not chosen in this window: choose it again with "Choose file…".', [{ path: 'password', message: 'choose the file again' }]);
    return { kind: 'file', path };
  };
  /** Runs a cancellable job registered under its id (tests, captures, comparisons). */
  const job = async <T>(id: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    if (running.has(id)) throw new AppError('CONFLICT', 'A job with this id is already running.');
    const controller = new AbortController();
    running.set(id, controller);
    try {
      return await fn(controller.signal);
    } finally {
      running.delete(id);
    }
  };
  return {
    'app.info': () => app.info(),
    'servers.list': () => app.servers.list(),
    'servers.get': ({ id }) => app.servers.get(id),
    'servers.create': ({ draft, password: pw }) => app.servers.create(draft, password(pw)),
    'servers.update': ({ id, draft, password: pw }) => app.servers.update(id, draft, password(pw)),
    'servers.duplicate': ({ id }) => app.servers.duplicate(id),
    'servers.delete': async ({ id }) => {
      await app.servers.delete(id);
      return { deleted: true as const };
    },
    'servers.choosePasswordFile': async () => {
      if (!opts.chooseFile) throw new AppError('INVALID_INPUT', 'No file dialog is available here. Reference the password file in a config file instead ("bindPassword": { "file": "PATH" }).');
      const path = await opts.chooseFile('bindPassword');
      if (path === null) return null;
      const token = randomUUID();
      chosenFiles.set(token, path);
      return { token, path };
    },
    'servers.test': async ({ runId, serverId, draft, password: pw }, ctx) => {
      if (running.has(runId)) throw new AppError('CONFLICT', 'A test with this id is already running.');
      const given = password(pw);
      const controller = new AbortController();
      running.set(runId, controller);
      try {
        return await app.servers.test({ serverId, draft, password: given, signal: controller.signal, onStage: (stage) => ctx.emit('doctor.stage', { runId, stage }) });
      } finally {
        running.delete(runId);
      }
    },
    'servers.cancelTest': ({ runId }) => {
      const c = running.get(runId);
      c?.abort();
      return { cancelled: !!c };
    },
    'servers.detectBase': (input) => detectBaseForDraft(app.servers, { ...input, password: password(input.password) }),
    'preview.run': (input) => app.preview.run({ ...input, password: password(input.password) }),
    'preview.raw': (input) => app.preview.raw({ ...input, password: password(input.password) }),
    'preview.close': async ({ sessionId }) => ({ closed: await app.preview.close(sessionId) }),
    'preview.scriptsReturning': ({ kind, name }) => app.preview.scriptsReturning(kind, name),
    'scripts.check': ({ scripts }) => app.preview.checkScripts(scripts),

    'orgs.list': () => app.directory.listOrgs(),
    'orgs.create': ({ org }) => app.directory.createOrg(org),
    'orgs.update': ({ id, org }) => app.directory.updateOrg(id, org),
    'orgs.delete': ({ id }) => {
      app.directory.deleteOrg(id);
      return { deleted: true as const };
    },
    'roles.list': () => app.directory.listRoles(),
    'roles.create': ({ role }) => app.directory.createRole(role),
    'roles.rename': ({ id, role }) => app.directory.renameRole(id, role),
    'roles.delete': ({ id }) => {
      app.directory.deleteRole(id);
      return { deleted: true as const };
    },
    'users.list': ({ query }) => app.directory.listUsers(query),
    'users.setActive': ({ id, active }) => ({ changed: app.directory.setUserActive(id, active) }),
    'users.setActiveMany': ({ ids, active }) => app.directory.setUsersActive(ids, active),
    'users.relink': ({ id }) => ({ changed: app.directory.relinkUser(id) }),
    'users.release': ({ id }) => ({ username: app.directory.releaseUsername(id) }),
    'auth.test': (input) => app.auth.signIn(input),
    'users.add': ({ user }) => app.localUsers.add(user),
    'users.setPassword': async ({ id, password }) => {
      await app.localUsers.setPassword(id, password);
      return { changed: true as const };
    },
    'users.importCsv': ({ text, dryRun }) => app.localUsers.importCsv(text, dryRun),
    'users.exportCsv': () => app.localUsers.exportCsv(),
    'users.detail': ({ id }) => app.localUsers.detail(id),
    'orgs.rotateKey': ({ id }) => app.localUsers.rotateKey(id),
    'orgs.authImpact': ({ id, authServerId }) => app.localUsers.authImpact(id, authServerId),

    'sync.overview': () => app.sync.overview(),
    'sync.saveSettings': ({ settings }) => app.sync.saveSettings(settings),
    'sync.start': async ({ runId, serverId, mode }, ctx) => {
      const run = await app.sync.run({ serverId, mode, trigger: 'manual', runId, onProgress: (p) => ctx.emit('sync.progress', p) });
      ctx.emit('sync.finished', run);
      return run;
    },
    'sync.cancel': ({ runId }) => ({ cancelled: app.sync.cancel(runId) }),
    'sync.approve': async ({ runId, newRunId }, ctx) => {
      const run = await app.sync.approve(runId, { trigger: 'approve', runId: newRunId });
      ctx.emit('sync.finished', run);
      return run;
    },
    'sync.discard': ({ runId }) => app.sync.discard(runId),
    'history.list': (q) => app.sync.history(q),
    'history.get': ({ runId }) => app.sync.get(runId),
    'history.changes': (q) => app.sync.changes(q),
    'history.export': ({ runId, format }) => app.sync.exportRun(runId, format),
    'history.chart': ({ serverId }) => app.sync.chart(serverId),
    'sync.simulateDraft': async ({ runId, serverId, draft, password: pw, source }, ctx) => {
      const run = await app.sync.simulateDraft({ runId, serverId, draft, password: password(pw), source, onProgress: (p) => ctx.emit('sync.progress', p) });
      ctx.emit('sync.finished', run);
      return run;
    },

    'scripts.test': async ({ scripts, cases }) => runScriptTests(await app.scriptEngine(), normalizeScripts(scripts), cases),

    'snapshots.list': () => app.snapshots.list(),
    'snapshots.capture': ({ jobId, serverId, name, attributes }, ctx) =>
      job(jobId, (signal) => app.snapshots.capture({ serverId, name, attributes, signal, onProgress: (p) => ctx.emit('snapshot.progress', { jobId, ...p }) })),
    'snapshots.chooseLdifFile': async () => {
      if (!opts.chooseFile) throw new AppError('INVALID_INPUT', 'No file dialog is available here. Import the file with the command line: ldap-sync snapshot import FILE --name NAME.');
      const path = await opts.chooseFile('ldif');
      if (path === null) return null;
      const token = randomUUID();
      chosenLdifFiles.set(token, path);
      return { token, path, size: await ldifFileSize(path) };
    },
    // Main opens and streams the file; the window only names the token of a file it chose.
    'snapshots.importLdif': ({ jobId, name, fileToken }, ctx) => {
      const path = chosenLdifFiles.get(fileToken);
      if (!path) throw new AppError('INVALID_INPUT', 'That LDIF file was not chosen in this window: choose it again with "Choose file…".', [{ path: 'file', message: 'choose the file again' }]);
      return job(jobId, (signal) => app.snapshots.importLdifFile({ path, name, signal, onProgress: (p) => ctx.emit('snapshot.progress', { jobId, ...p }) }));
    },
    'snapshots.exportLdif': ({ snapshotId }) => {
      const s = app.snapshots.get(snapshotId);
      return { filename: `${s.name.replace(/[^A-Za-z0-9._-]+/g, '_')}.ldif`, text: [...app.snapshots.exportLdif(snapshotId)].join('') };
    },
    'snapshots.delete': ({ snapshotId }) => {
      app.snapshots.delete(snapshotId);
      return { deleted: true as const };
    },
    'snapshots.compare': ({ jobId, snapshotId, serverId }, ctx) =>
      job(jobId, (signal) => app.snapshots.compare({ snapshot: snapshotId, serverId, signal, onProgress: (p) => ctx.emit('snapshot.progress', { jobId, ...p }) })),
    'snapshots.cancel': ({ jobId }) => {
      const c = running.get(jobId);
      c?.abort();
      return { cancelled: !!c };
    },

    'sample.status': () => app.sample.status(),
    'sample.install': () => app.sample.install(),
    'sample.remove': () => app.sample.remove(),
  };
}
