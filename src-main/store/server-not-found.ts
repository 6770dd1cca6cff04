import { AppError } from '../../src-shared/errors';

/** The AppError('NOT_FOUND') for a server id that is not stored. */
export function serverNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `There is no server with id "${id}".`);
}
