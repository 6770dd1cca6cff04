import { readFile, stat } from 'node:fs/promises';
import { AppError } from '../../src-shared/errors';
import type { PasswordRef } from '../store/servers-repo';
import type { Keychain } from './keychain';

const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * Reads a bind password from where its reference points: the OS keychain, an environment variable
 * of this process, or a file (one trailing newline removed). Errors name the source and the fix.
 */
export async function resolvePassword(ref: PasswordRef, keychain: Keychain, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  switch (ref.kind) {
    case 'env': {
      const v = env[ref.name];
      if (v === undefined || v === '') {
        throw new AppError('SECRET_UNAVAILABLE', `Bind password: the environment variable ${ref.name} is not set for this process. Set it before starting the app or the CLI, or choose another password source.`);
      }
      return v;
    }
    case 'file': {
      try {
        const s = await stat(ref.path);
        if (!s.isFile()) throw new Error('not a regular file');
        if (s.size > MAX_SECRET_FILE_BYTES) throw new Error(`larger than ${MAX_SECRET_FILE_BYTES} bytes`);
        const text = await readFile(ref.path, 'utf8');
        const v = text.replace(/\r?\n$/, '');
        if (!v) throw new Error('the file is empty');
        return v;
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (err as Error).message;
        throw new AppError('SECRET_UNAVAILABLE', `Bind password: cannot read the file ${ref.path} (${why}). Check the path and its permissions, or choose another password source.`);
      }
    }
    case 'keychain': {
      const v = await keychain.get(ref.account);
      if (v === null || v === '') {
        throw new AppError('SECRET_UNAVAILABLE', 'Bind password: it is not in the OS keychain any more. Edit the password and save it again.');
      }
      return v;
    }
  }
}
