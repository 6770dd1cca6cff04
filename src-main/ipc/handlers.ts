import { AppError } from '../../src-shared/errors';
import type { AppContext } from '../app-context';
import type { Handlers } from './router';

/** Binds every contract method to the services of an app context. Thin: logic lives in the services. */
export function createHandlers(app: AppContext): Handlers {
  const running = new Map<string, AbortController>();
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
    'preview.run': (input) => app.preview.run(input),
    'preview.raw': (input) => app.preview.raw(input),
    'preview.close': async ({ sessionId }) => ({ closed: await app.preview.close(sessionId) }),
    'scripts.check': ({ scripts }) => app.preview.checkScripts(scripts),
  };
}
