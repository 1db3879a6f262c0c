import type pg from 'pg';
import { Database } from './database';
import type { Column, RowOf, Table } from './table';

type Columns = Record<string, Column<unknown>>;

/** Equality on the properties given; `null` means IS NULL, an array means any of its values. */
export type Where<C extends Columns> = { [K in keyof C]?: RowOf<C>[K] | ReadonlyArray<NonNullable<RowOf<C>[K]>> };

export interface FindOptions<C extends Columns> {
  orderBy?: keyof C & string;
  descending?: boolean;
  limit?: number;
}

/** The alias every statement here gives its table, so ORDER BY reaches the column, not the SELECT alias. */
const ALIAS = 't';

function whereClause<C extends Columns>(table: Table<C>, where: Where<C>, firstParameter = 1): { text: string; values: unknown[] } {
  const conditions: string[] = [];
  const values: unknown[] = [];
  for (const [property, value] of Object.entries(where) as Array<[keyof C & string, unknown]>) {
    if (value === undefined) continue;
    const spec = table.columns[property] as Column<unknown>;
    if (value === null) {
      conditions.push(`${ALIAS}.${spec.name} IS NULL`);
    } else if (Array.isArray(value)) {
      values.push(value);
      conditions.push(`${ALIAS}.${spec.name} = ANY($${firstParameter + values.length - 1}${spec.cast ? `${spec.cast}[]` : ''})`);
    } else {
      values.push(spec.write ? spec.write(value) : value);
      conditions.push(`${ALIAS}.${spec.name} = $${firstParameter + values.length - 1}${spec.cast ?? ''}`);
    }
  }
  return { text: conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '', values };
}

/**
 * Reads and seeds rows for tests, typed by the table definitions (the rows are the ones the
 * repositories read: `RowOf<typeof users.columns>`…). Tests inspect what a use case wrote with it
 * (`rows.first(auditLogs, { userId, eventType })`) and set up what no API can (`rows.update(users,
 * { id }, { kycStatus: 'verified' })`); anything else is plain SQL through `sql`.
 */
export class TableRows {
  readonly db: Database;

  constructor(url: string, applicationName = 'tests') {
    this.db = new Database({ url, poolMax: 3, applicationName });
  }

  /** Any SQL; the rows it returns. */
  async sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<R[]> {
    return (await this.db.query<R>(text, values)).rows;
  }

  async find<C extends Columns>(table: Table<C>, where: Where<C> = {}, options: FindOptions<C> = {}): Promise<Array<RowOf<C>>> {
    const condition = whereClause(table, where);
    const order = options.orderBy ? ` ORDER BY ${ALIAS}.${table.column(options.orderBy)}${options.descending ? ' DESC' : ''}` : '';
    const limit = options.limit === undefined ? '' : ` LIMIT ${Math.trunc(options.limit)}`;
    const { rows } = await this.db.query<RowOf<C>>(
      `SELECT ${table.select(ALIAS)} FROM ${table.name} ${ALIAS}${condition.text}${order}${limit}`,
      condition.values,
    );
    return rows;
  }

  /** The first matching row (in `orderBy` order, if given), or null. */
  async first<C extends Columns>(table: Table<C>, where: Where<C> = {}, options: FindOptions<C> = {}): Promise<RowOf<C> | null> {
    return (await this.find(table, where, { ...options, limit: 1 }))[0] ?? null;
  }

  /** The one matching row; throws when there is none or more than one. */
  async one<C extends Columns>(table: Table<C>, where: Where<C>): Promise<RowOf<C>> {
    const found = await this.find(table, where, { limit: 2 });
    if (found.length !== 1) {
      throw new Error(`expected one ${table.name} row where ${JSON.stringify(where)}, found ${found.length === 0 ? 'none' : 'several'}`);
    }
    return found[0] as RowOf<C>;
  }

  async count<C extends Columns>(table: Table<C>, where: Where<C> = {}): Promise<number> {
    const condition = whereClause(table, where);
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table.name} ${ALIAS}${condition.text}`,
      condition.values,
    );
    return rows[0]?.n ?? 0;
  }

  /** Inserts one row (columns left out take their database defaults) and returns it as stored. */
  async insert<C extends Columns>(table: Table<C>, row: Partial<RowOf<C>>): Promise<RowOf<C>> {
    const statement = table.insert(row, `RETURNING ${table.select()}`);
    const { rows } = await this.db.query<RowOf<C>>(statement.text, statement.values);
    return rows[0] as RowOf<C>;
  }

  /** Sets `changes` on every matching row; the number of rows changed. */
  async update<C extends Columns>(table: Table<C>, where: Where<C>, changes: Partial<RowOf<C>>): Promise<number> {
    const assignments = table.assignments(changes);
    const condition = whereClause(table, where, assignments.values.length + 1);
    const result = await this.db.query(`UPDATE ${table.name} ${ALIAS} SET ${assignments.text}${condition.text}`, [
      ...assignments.values,
      ...condition.values,
    ]);
    return result.rowCount ?? 0;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
