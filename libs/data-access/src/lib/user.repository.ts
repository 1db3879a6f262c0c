import {
  KYC_STATUSES,
  type KycStatus,
  type NewUser,
  type User,
  type UserChanges,
  type UserCredentials,
  type UserRepository,
  type UserSearch,
  type UserStatistics,
} from '@pandora/domain';
import { AppError } from '@pandora/errors';
import { isUniqueViolation } from './infrastructure-errors';
import type { Queryable } from './sql/database';
import { users, type UserRow } from './tables/users';

/** LIKE metacharacters are matched literally: an admin searching for "50%" means the text "50%". */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The account without its password hash: only login and password checks see the hash. */
function toUser({ passwordHash: _hash, ...user }: UserRow): User {
  return user;
}

const BY_ID = `SELECT ${users.select()} FROM users WHERE id = $1::uuid`;
const ACTIVE_BY_ID = `${BY_ID} AND deleted_at IS NULL`;
const ACTIVE_BY_EMAIL = `SELECT ${users.select()} FROM users WHERE email = $1 AND deleted_at IS NULL LIMIT 1`;
const LOCK_ACTIVE_BY_ID = `${ACTIVE_BY_ID} FOR UPDATE`;
const RETURNING = `RETURNING ${users.select()}`;

export class PgUserRepository implements UserRepository {
  constructor(private readonly db: Queryable) {}

  private async one(sql: string, values: unknown[]): Promise<UserRow | null> {
    const { rows } = await this.db.query<UserRow>(sql, values);
    return rows[0] ?? null;
  }

  async findById(id: string, options: { includeDeleted?: boolean } = {}): Promise<User | null> {
    const row = await this.one(options.includeDeleted ? BY_ID : ACTIVE_BY_ID, [id]);
    return row ? toUser(row) : null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const row = await this.one(ACTIVE_BY_EMAIL, [email]);
    return row ? toUser(row) : null;
  }

  async findCredentialsByEmail(email: string): Promise<UserCredentials | null> {
    const row = await this.one(ACTIVE_BY_EMAIL, [email]);
    return row ? { user: toUser(row), passwordHash: row.passwordHash } : null;
  }

  async findCredentialsById(id: string): Promise<UserCredentials | null> {
    const row = await this.one(ACTIVE_BY_ID, [id]);
    return row ? { user: toUser(row), passwordHash: row.passwordHash } : null;
  }

  async lockById(id: string): Promise<User | null> {
    const row = await this.one(LOCK_ACTIVE_BY_ID, [id]);
    return row ? toUser(row) : null;
  }

  async create(user: NewUser): Promise<User> {
    const insert = users.insert({ ...user, updatedAt: user.createdAt }, RETURNING);
    try {
      const { rows } = await this.db.query<UserRow>(insert.text, insert.values);
      return toUser(rows[0] as UserRow);
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_active_key')) throw new AppError('USER_ALREADY_EXISTS');
      throw error;
    }
  }

  update(id: string, changes: UserChanges, at: Date): Promise<User> {
    return this.updateRow(id, { ...changes, updatedAt: at });
  }

  softDelete(id: string, at: Date): Promise<User> {
    return this.updateRow(id, { deletedAt: at, updatedAt: at });
  }

  private async updateRow(id: string, changes: Partial<UserRow>): Promise<User> {
    const set = users.assignments(changes, 2);
    let result;
    try {
      result = await this.db.query<UserRow>(`UPDATE users SET ${set.text} WHERE id = $1::uuid ${RETURNING}`, [id, ...set.values]);
    } catch (error) {
      // A confirmed email change racing a registration (or another change) to the same address.
      if (isUniqueViolation(error, 'users_email_active_key')) throw new AppError('USER_ALREADY_EXISTS');
      throw error;
    }
    const row = result.rows[0];
    if (!row) throw new AppError('USER_NOT_FOUND');
    return toUser(row);
  }

  async search(search: UserSearch): Promise<{ users: User[]; total: number }> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const bind = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    if (!search.includeDeleted) conditions.push('deleted_at IS NULL');
    if (search.role) conditions.push(`role = ${bind(search.role)}::user_role`);
    if (search.kycStatus) conditions.push(`kyc_status = ${bind(search.kycStatus)}::kyc_status`);
    if (search.query) {
      const pattern = bind(`%${escapeLike(search.query)}%`);
      conditions.push(
        `(email ILIKE ${pattern} ESCAPE '\\' OR first_name ILIKE ${pattern} ESCAPE '\\' OR last_name ILIKE ${pattern} ESCAPE '\\')`,
      );
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const filterValues = [...values];
    const direction = search.sort === 'created_at' ? 'ASC' : 'DESC';
    const page = `LIMIT ${bind(search.limit)}::int OFFSET ${bind(search.offset)}::int`;
    const [list, counts] = await Promise.all([
      this.db.query<UserRow>(
        `SELECT ${users.select()} FROM users ${where} ORDER BY created_at ${direction}, id ${direction} ${page}`,
        values,
      ),
      this.db.query<{ total: number }>(`SELECT count(*)::int AS total FROM users ${where}`, filterValues),
    ]);
    return { users: list.rows.map(toUser), total: counts.rows[0]?.total ?? 0 };
  }

  async statistics(): Promise<UserStatistics> {
    const { rows } = await this.db.query<{ kyc_status: KycStatus; total: number }>(
      'SELECT kyc_status::text AS kyc_status, count(*)::int AS total FROM users WHERE deleted_at IS NULL GROUP BY kyc_status',
    );
    const byKycStatus = Object.fromEntries(KYC_STATUSES.map((status) => [status, 0])) as Record<KycStatus, number>;
    for (const row of rows) byKycStatus[row.kyc_status] = row.total;
    return { total: rows.reduce((sum, row) => sum + row.total, 0), byKycStatus };
  }
}
