import { ZodError } from 'zod';
import { contract, type EventName, type Events, type Method, type Output, type ParsedInput } from '../../src-shared/ipc/contract';
import { AppError, type ErrorInfo, knownSystemFailure, type Result } from '../../src-shared/errors';

/** Per-call context a handler receives: a way to send events back to the calling window. */
export interface CallContext {
  emit<E extends EventName>(event: E, payload: Events[E]): void;
}

/** One handler per contract method. */
export type Handlers = { [M in Method]: (input: ParsedInput<M>, ctx: CallContext) => Promise<Output<M>> | Output<M> };

/** Where main writes diagnostics; never given inputs or secrets. */
export interface RouterLog {
  error(message: string, err?: unknown): void;
}

/** Router options: how to tell our own windows from anything else. */
export interface RouterOptions {
  /** Returns true when the calling frame's URL belongs to this app's renderer. */
  isTrustedSender(senderUrl: string | undefined): boolean;
  log?: RouterLog;
}

function zodIssues(err: ZodError): ErrorInfo {
  const fields = err.issues.map((i) => ({ path: i.path.join('.') || '(input)', message: i.message }));
  return { code: 'INVALID_INPUT', message: `Invalid input: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`, fields };
}

/**
 * The main-side router for the single request channel. It checks the sender, looks the method up
 * in the contract, validates the input with the method's schema, and only then calls the handler.
 * Every outcome is a plain-JSON `Result`; stacks stay in main's log.
 */
export function createRouter(handlers: Handlers, opts: RouterOptions) {
  return async function route(senderUrl: string | undefined, method: unknown, input: unknown, ctx: CallContext): Promise<Result<unknown>> {
    if (!opts.isTrustedSender(senderUrl)) {
      return { ok: false, error: { code: 'FORBIDDEN_SENDER', message: 'Request refused: it did not come from the app window.' } };
    }
    if (typeof method !== 'string' || !Object.prototype.hasOwnProperty.call(contract, method)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `Unknown method: ${String(method).slice(0, 100)}` } };
    }
    const m = method as Method;
    const parsed = contract[m].input.safeParse(input ?? {});
    if (!parsed.success) return { ok: false, error: zodIssues(parsed.error) };
    try {
      const handler = handlers[m] as (i: unknown, c: CallContext) => unknown;
      const data = await handler(parsed.data, ctx);
      return { ok: true, data: data === undefined ? null : data };
    } catch (err) {
      if (err instanceof AppError) return { ok: false, error: err.toInfo() };
      const known = knownSystemFailure(err);
      if (known) return { ok: false, error: known.toInfo() };
      opts.log?.error(`Unexpected error in ${m}`, err);
      return { ok: false, error: { code: 'INTERNAL', message: `Something went wrong in ${m}. Details are in the app log.` } };
    }
  };
}

/** The router function type. */
export type Router = ReturnType<typeof createRouter>;
