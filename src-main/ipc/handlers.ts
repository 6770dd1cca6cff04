import { AppError } from '../../src-shared/errors';
import type { AppContext } from '../app-context';
import type { Handlers } from './router';
import { runScriptTests } from '../scripts/test-cases';
import { normalizeScripts } from '../services/script-checks';
import { detectBaseForDraft } from '../services/detect-base';

/** Binds every contract method to the services of an app context. Thin: logic lives in the services. */
export function createHandlers(app: AppContext): Handlers {
  const running = new Map<string, AbortController>();
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
    'servers.create': ({ draft, password }) => app.servers.create(draft, password),
    'servers.update': ({ id, draft, password }) => app.servers.update(id, draft, password),
    'servers.duplicate': ({ id }) => app.servers.duplicate(id),
    'servers.delete': async ({ id }) => {
      await app.servers.delete(id);
      return { deleted: true as const };
    },
    'servers.test': async ({ runId, serverId, draft, password }, ctx) => {
      if (running.has(runId)) throw new AppError('CONFLICT', 'A test with this id is already running.');
      const controller = new AbortController();
      running.set(runId, controller);
      try {
        return await app.servers.test({ serverId, draft, password, signal: controller.signal, onStage: (stage) => ctx.emit('doctor.stage', { runId, stage }) });
      } finally {
        running.delete(runId);
      }
    },
    'servers.cancelTest': ({ runId }) => {
      const c = running.get(runId);
      c?.abort();
      return { cancelled: !!c };
    },
    'servers.detectBase': (input) => detectBaseForDraft(app.servers, input),
    'preview.run': (input) => app.preview.run(input),
    'preview.raw': (input) => app.preview.raw(input),
    'preview.close': async ({ sessionId }) => ({ closed: await app.preview.close(sessionId) }),
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
    'users.relink': ({ id }) => ({ changed: app.directory.relinkUser(id) }),

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
    'sync.simulateDraft': async ({ runId, serverId, draft, password, source }, ctx) => {
      const run = await app.sync.simulateDraft({ runId, serverId, draft, password, source, onProgress: (p) => ctx.emit('sync.progress', p) });
      ctx.emit('sync.finished', run);
      return run;
    },

    'scripts.test': async ({ scripts, cases }) => runScriptTests(await app.scriptEngine(), normalizeScripts(scripts), cases),

    'snapshots.list': () => app.snapshots.list(),
    'snapshots.capture': ({ jobId, serverId, name, attributes }, ctx) =>
      job(jobId, (signal) => app.snapshots.capture({ serverId, name, attributes, signal, onProgress: (p) => ctx.emit('snapshot.progress', { jobId, ...p }) })),
    'snapshots.importLdif': ({ name, fileName, text }) => app.snapshots.importLdifText({ name, fileName, text }),
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
