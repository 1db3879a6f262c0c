import type { User } from '../model/user';

/**
 * Reads of one user outside any transaction, which an implementation may answer from memory: what
 * GET /users/me and gRPC GetUser read on every call. Whatever it answers is never older than the
 * bound docs/caching.md states (1 s), and a process sees its own committed writes at once. Never
 * used inside a transaction: a use case that decides on a user and then changes it reads it through
 * the unit of work's repositories.
 */
export interface UserReads {
  findById(id: string, options?: { includeDeleted?: boolean }): Promise<User | null>;
}
