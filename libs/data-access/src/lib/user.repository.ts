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
import { Prisma, type User as UserRow } from '@prisma/client';
import { isUniqueViolation } from './infrastructure-errors';
import { directPoolOf, type Db } from './prisma-client';
import { toUser } from './row-mappers';

/** LIKE metacharacters are matched literally: an admin searching for "50%" means the text "50%". */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

const USER_COLUMN_LIST = `id, email, password_hash, first_name, last_name, role::text AS role, kyc_status::text AS kyc_status,
  created_at, updated_at, deleted_at`;
const USER_COLUMNS = Prisma.raw(USER_COLUMN_LIST);
const USER_BY_ID_SQL = `SELECT ${USER_COLUMN_LIST} FROM users WHERE id = $1::uuid`;
const ACTIVE_USER_BY_EMAIL_SQL = `SELECT ${USER_COLUMN_LIST} FROM users WHERE email = $1 AND deleted_at IS NULL LIMIT 1`;

/** Raw rows from hand-written SQL use column names; map them onto the Prisma model shape. */
interface UserSqlRow {
  id: string;
  email: string;
  password_hash: string;
  first_name: string;
  last_name: string;
  role: string;
  kyc_status: string;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

function fromSql(row: UserSqlRow): UserRow {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    firstName: row.first_name,
    lastName: row.last_name,
    role: row.role as UserRow['role'],
    kycStatus: row.kyc_status as UserRow['kycStatus'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

export class PrismaUserRepository implements UserRepository {
  constructor(private readonly db: Db) {}

  /**
   * Outside transactions the per-request reads skip Prisma's query compiler (prisma-client.ts):
   * one row by hand-written SQL on the client's own pool, or undefined when only Prisma can run it.
   */
  private async directRow(sql: string, value: string): Promise<UserRow | null | undefined> {
    const pool = directPoolOf(this.db);
    if (!pool) return undefined;
    const { rows } = await pool.query<UserSqlRow>(sql, [value]);
    return rows[0] ? fromSql(rows[0]) : null;
  }

  async findById(id: string, options: { includeDeleted?: boolean } = {}): Promise<User | null> {
    const direct = await this.directRow(USER_BY_ID_SQL, id);
    const row = direct === undefined ? await this.db.user.findUnique({ where: { id } }) : direct;
    if (!row || (row.deletedAt !== null && !options.includeDeleted)) return null;
    return toUser(row);
  }

  async findByEmail(email: string): Promise<User | null> {
    const row = await this.activeByEmail(email);
    return row ? toUser(row) : null;
  }

  async findCredentialsByEmail(email: string): Promise<UserCredentials | null> {
    const row = await this.activeByEmail(email);
    return row ? { user: toUser(row), passwordHash: row.passwordHash } : null;
  }

  private async activeByEmail(email: string): Promise<UserRow | null> {
    const direct = await this.directRow(ACTIVE_USER_BY_EMAIL_SQL, email);
    return direct === undefined ? await this.db.user.findFirst({ where: { email, deletedAt: null } }) : direct;
  }

  async findCredentialsById(id: string): Promise<UserCredentials | null> {
    const row = await this.db.user.findFirst({ where: { id, deletedAt: null } });
    return row ? { user: toUser(row), passwordHash: row.passwordHash } : null;
  }

  async lockById(id: string): Promise<User | null> {
    const rows = await this.db.$queryRaw<UserSqlRow[]>`
      SELECT ${USER_COLUMNS} FROM users WHERE id = ${id}::uuid AND deleted_at IS NULL FOR UPDATE`;
    return rows[0] ? toUser(fromSql(rows[0])) : null;
  }

  async create(user: NewUser): Promise<User> {
    try {
      const row = await this.db.user.create({
        data: {
          id: user.id,
          email: user.email,
          passwordHash: user.passwordHash,
          firstName: user.firstName,
          lastName: user.lastName,
          role: user.role,
          createdAt: user.createdAt,
          updatedAt: user.createdAt,
        },
      });
      return toUser(row);
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_active_key')) throw new AppError('USER_ALREADY_EXISTS');
      throw error;
    }
  }

  async update(id: string, changes: UserChanges, at: Date): Promise<User> {
    const row = await this.db.user.update({ where: { id }, data: { ...changes, updatedAt: at } });
    return toUser(row);
  }

  async softDelete(id: string, at: Date): Promise<User> {
    const row = await this.db.user.update({ where: { id }, data: { deletedAt: at, updatedAt: at } });
    return toUser(row);
  }

  async search(search: UserSearch): Promise<{ users: User[]; total: number }> {
    const conditions: Prisma.Sql[] = [];
    if (!search.includeDeleted) conditions.push(Prisma.sql`deleted_at IS NULL`);
    if (search.role) conditions.push(Prisma.sql`role = ${search.role}::user_role`);
    if (search.kycStatus) conditions.push(Prisma.sql`kyc_status = ${search.kycStatus}::kyc_status`);
    if (search.query) {
      const pattern = `%${escapeLike(search.query)}%`;
      conditions.push(
        Prisma.sql`(email ILIKE ${pattern} ESCAPE '\\' OR first_name ILIKE ${pattern} ESCAPE '\\' OR last_name ILIKE ${pattern} ESCAPE '\\')`,
      );
    }
    const where = conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
    const direction = Prisma.raw(search.sort === 'created_at' ? 'ASC' : 'DESC');
    const [rows, counts] = await Promise.all([
      this.db.$queryRaw<UserSqlRow[]>`SELECT ${USER_COLUMNS} FROM users ${where}
        ORDER BY created_at ${direction}, id ${direction} LIMIT ${search.limit} OFFSET ${search.offset}`,
      this.db.$queryRaw<Array<{ total: number }>>`SELECT count(*)::int AS total FROM users ${where}`,
    ]);
    return { users: rows.map((row) => toUser(fromSql(row))), total: counts[0]?.total ?? 0 };
  }

  async statistics(): Promise<UserStatistics> {
    const rows = await this.db.$queryRaw<Array<{ kyc_status: KycStatus; total: number }>>`
      SELECT kyc_status::text AS kyc_status, count(*)::int AS total FROM users WHERE deleted_at IS NULL GROUP BY kyc_status`;
    const byKycStatus = Object.fromEntries(KYC_STATUSES.map((status) => [status, 0])) as Record<KycStatus, number>;
    for (const row of rows) byKycStatus[row.kyc_status] = row.total;
    return { total: rows.reduce((sum, row) => sum + row.total, 0), byKycStatus };
  }
}
