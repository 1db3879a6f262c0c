/**
 * A table's columns, written once: the SELECT list, the row type, INSERT and UPDATE statements are
 * all derived from one definition (ARCHITECTURE.md, "How to add a field"). Rows come back from
 * node-postgres already keyed by property name (`password_hash AS "passwordHash"`) and already typed
 * by its parsers (timestamptz → Date, jsonb → object, boolean, int4 → number), so reading a row
 * costs no mapping at all.
 */

export interface Column<T> {
  /** The column's SQL name. */
  readonly name: string;
  /** What the SELECT list reads, when not the bare column (e.g. `seq::text` for a bigint). */
  readonly read?: (qualified: string) => string;
  /** A parameter cast, so PostgreSQL never has to guess (`::uuid`, `::jsonb`). */
  readonly cast?: string;
  /**
   * How a value is sent, when node-postgres's default is wrong (JSON arrays, for one). Method
   * syntax on purpose: it keeps Column<T> assignable to Column<unknown>.
   */
  write?(value: NonNullable<T>): unknown;
  /** Phantom: the TypeScript type of the property. */
  readonly __type?: T;
}

type Columns = Record<string, Column<unknown>>;
export type RowOf<C extends Columns> = { [K in keyof C]: C[K] extends Column<infer T> ? T : never };

function column<T>(name: string, extra: Omit<Column<T>, 'name' | '__type'> = {}): Column<T> {
  return { name, ...extra };
}

/** Column kinds. `nullable(…)` wraps any of them. */
export const col = {
  uuid: (name: string) => column<string>(name, { cast: '::uuid' }),
  text: <T extends string = string>(name: string) => column<T>(name),
  /** text[]: node-postgres sends and reads JavaScript arrays. */
  textArray: <T extends string = string>(name: string) => column<T[]>(name, { cast: '::text[]' }),
  int: <T extends number = number>(name: string) => column<T>(name, { cast: '::int' }),
  /** bigint, read as its decimal text: a JavaScript number cannot hold every bigint. */
  bigintText: (name: string) => column<string>(name, { read: (qualified) => `${qualified}::text` }),
  boolean: (name: string) => column<boolean>(name, { cast: '::boolean' }),
  timestamptz: (name: string) => column<Date>(name, { cast: '::timestamptz' }),
  /** bytea: node-postgres sends and reads Buffers. */
  bytea: (name: string) => column<Buffer>(name, { cast: '::bytea' }),
  jsonb: <T>(name: string) => column<T>(name, { cast: '::jsonb', write: (value) => JSON.stringify(value) }),
  nullable: <T>(inner: Column<T>): Column<T | null> => inner as Column<T | null>,
};

export interface Statement {
  text: string;
  values: unknown[];
}

export interface Table<C extends Columns> {
  readonly name: string;
  readonly columns: C;
  /** `alias.col AS "prop", …` for every column (or the given ones). */
  select(alias?: string, only?: ReadonlyArray<keyof C>): string;
  /** `INSERT INTO table (…) VALUES (…)` of the properties present in `row`, plus `suffix` (e.g. RETURNING). */
  insert(row: Partial<RowOf<C>>, suffix?: string): Statement;
  /** `col = $n, …` of the properties present in `changes`, numbering parameters from `firstParameter`. */
  assignments(changes: Partial<RowOf<C>>, firstParameter?: number): Statement;
  /** The SQL name of a property's column. */
  column(property: keyof C): string;
}

function parameter<T>(spec: Column<T>, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  return spec.write ? spec.write(value as NonNullable<T>) : value;
}

export function defineTable<C extends Columns>(name: string, columns: C): Table<C> {
  const entries = Object.entries(columns) as Array<[keyof C & string, Column<unknown>]>;
  const selectCache = new Map<string, string>();
  const present = (row: Partial<RowOf<C>>) => entries.filter(([property]) => row[property] !== undefined);

  return {
    name,
    columns,
    select(alias, only) {
      const key = `${alias ?? ''}|${only?.join(',') ?? '*'}`;
      let list = selectCache.get(key);
      if (!list) {
        list = entries
          .filter(([property]) => !only || only.includes(property))
          .map(([property, spec]) => {
            const qualified = alias ? `${alias}.${spec.name}` : spec.name;
            return `${spec.read ? spec.read(qualified) : qualified} AS "${property}"`;
          })
          .join(', ');
        selectCache.set(key, list);
      }
      return list;
    },
    insert(row, suffix = '') {
      const used = present(row);
      const names = used.map(([, spec]) => spec.name).join(', ');
      const placeholders = used.map(([, spec], index) => `$${index + 1}${spec.cast ?? ''}`).join(', ');
      return {
        text: `INSERT INTO ${name} (${names}) VALUES (${placeholders})${suffix ? ` ${suffix}` : ''}`,
        values: used.map(([property, spec]) => parameter(spec, row[property])),
      };
    },
    assignments(changes, firstParameter = 1) {
      const used = present(changes);
      return {
        text: used.map(([, spec], index) => `${spec.name} = $${firstParameter + index}${spec.cast ?? ''}`).join(', '),
        values: used.map(([property, spec]) => parameter(spec, changes[property])),
      };
    },
    column(property) {
      return (columns[property] as Column<unknown>).name;
    },
  };
}
