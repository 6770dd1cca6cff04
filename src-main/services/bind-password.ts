import type { PasswordInput, ServerDraft } from '../../src-shared/domain/server';
import { AppError } from '../../src-shared/errors';
import { DESTINATION_WORDS, passwordDestinationChanged } from '../../src-shared/domain/password-destination';
import type { Keychain } from '../secrets/keychain';
import { resolvePassword } from '../secrets/password';
import type { ServerRow } from '../store/servers-repo';

/** True when a stored password must not be used for (or kept with) these form values (see password-destination.ts). */
export function identityChanged(saved: Pick<ServerRow, 'url' | 'bindDn' | 'startTls'>, draft: Pick<ServerDraft, 'url' | 'bindDn' | 'startTls'>): boolean {
  return passwordDestinationChanged(saved, draft);
}

/** What {@link bindPasswordFor} needs. */
export interface BindPasswordRequest {
  input: PasswordInput;
  /** The saved server the form edits, if any (its stored password may be used with `keep`). */
  saved: ServerRow | null;
  draft: Pick<ServerDraft, 'url' | 'bindDn' | 'startTls'>;
  keychain: Keychain;
  env: NodeJS.ProcessEnv;
}

/**
 * The bind password to use for unsaved form values, with the doctor's rules: a typed value or an
 * env/file reference as given; with `keep`, the stored password only when the host and bind DN
 * are unchanged, so a password is never sent to a server or account it was not saved for.
 * Throws AppError('PASSWORD_REQUIRED' | 'SECRET_UNAVAILABLE') saying what to do.
 */
export async function bindPasswordFor(req: BindPasswordRequest): Promise<string> {
  const { input, saved, draft, keychain, env } = req;
  switch (input.kind) {
    case 'value':
      return input.value;
    case 'env':
      return resolvePassword({ kind: 'env', name: input.name }, keychain, env);
    case 'file':
      return resolvePassword({ kind: 'file', path: input.path }, keychain, env);
    case 'none':
      throw new AppError('PASSWORD_REQUIRED', `Enter the bind password for "${draft.bindDn}", or turn on Bind anonymously.`);
    case 'keep':
      if (!saved?.passwordRef) {
        const why = saved?.passwordClearedAt ? ` The stored one was cleared when ${DESTINATION_WORDS} changed.` : '';
        throw new AppError('PASSWORD_REQUIRED', `Enter the bind password for "${draft.bindDn}".${why}`);
      }
      if (identityChanged(saved, draft)) {
        throw new AppError('PASSWORD_REQUIRED', `The server's address or account differs from the saved one (${DESTINATION_WORDS}), so the stored password is not sent. Enter the password for these settings.`);
      }
      return resolvePassword(saved.passwordRef, keychain, env);
  }
}
