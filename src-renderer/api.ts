// The renderer's one typed client over `window.api`. Components never see channel names or Result
// envelopes: they call feature hooks, which call `call` and `subscribe`.
import type { ErrorCode, ErrorInfo, FieldIssue } from '../src-shared/errors';
import type { EventName, Events, Input, Method, Output } from '../src-shared/ipc/contract';

/** A failed call, carrying the main process's ErrorInfo (code, message, per-field issues). */
export class ClientError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldIssue[] | undefined;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'ClientError';
    this.code = info.code;
    this.fields = info.fields;
  }
  /** The plain ErrorInfo, as it crossed IPC. */
  toInfo(): ErrorInfo {
    return this.fields ? { code: this.code, message: this.message, fields: this.fields } : { code: this.code, message: this.message };
  }
}

/** Calls a contract method; resolves with its output or throws a {@link ClientError}. */
export async function call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
  let result;
  try {
    result = await window.api.invoke(method, input);
  } catch (cause) {
    // The transport itself failed (e.g. main crashed): still surface a coded error, never a raw one.
    throw new ClientError({ code: 'INTERNAL', message: `The app could not reach its main process (${messageOf(cause)}).` });
  }
  if (!result || typeof result !== 'object') {
    throw new ClientError({ code: 'INTERNAL', message: 'The main process sent an unexpected reply.' });
  }
  if (result.ok) return result.data;
  throw new ClientError(result.error);
}

/** Listens to a main-to-renderer event; returns the unsubscribe function. */
export function subscribe<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
  return window.api.on(event, listener);
}

/** Turns anything thrown by a call into an ErrorInfo the UI can show. */
export function errorInfoOf(error: unknown): ErrorInfo {
  if (error instanceof ClientError) return error.toInfo();
  return { code: 'INTERNAL', message: messageOf(error) };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'unknown error';
}
