import pg from 'pg';
import { confirmDirectSession } from '../sql/direct-session';
import type { ChangeFeed, ChangeKind, ChangeSubscriber } from './change-feed';

/** The channel the triggers of migration 20261203100000_read_cache_invalidation notify. */
export const READ_CACHE_CHANNEL = 'pandora_read_cache';
const REQUIRED_TRIGGERS = ['users_read_cache_announce', 'sessions_read_cache_announce_update', 'sessions_read_cache_announce_delete'];

export interface PgChangeFeedOptions {
  /** DATABASE_DIRECT_URL: LISTEN needs a session of its own, never a transaction pooler. */
  url: string;
  applicationName: string;
  /** How old, at most, what a cache serves may be: the bound docs/caching.md promises (1 s). */
  maxStalenessMs?: number;
  /** How often the session proves it is current, well inside the bound. */
  proofIntervalMs?: number;
  /** How long a writer waits for its own changes to come back (sync) before the caches are emptied instead. */
  syncTimeoutMs?: number;
  now?: () => number;
  /** The listening session proved itself for the first time, or was lost (the caches serve nothing until it is back). */
  onConnectionChange?: (connected: boolean, error?: Error) => void;
}

const DEFAULTS = { maxStalenessMs: 1_000, proofIntervalMs: 250, syncTimeoutMs: 500 };
const MAX_RECONNECT_DELAY_MS = 5_000;

/**
 * The caches' change feed over PostgreSQL: one session LISTENs to what the triggers announce. A
 * notification travels with its transaction's commit, so a change cannot be announced and then
 * rolled back, nor committed and never announced, whichever process, CLI or hand-written SQL made it.
 *
 * What makes "never older than the bound" hold even when the connection silently hangs: every
 * `proofIntervalMs` the session runs a query, and PostgreSQL sends a session every notification
 * committed before that query started ahead of its answer. So when a proof that started at T is
 * answered, every change committed before T has reached the caches; `isCurrent()` is true only
 * while the last answered proof started less than `maxStalenessMs` ago. A lost session empties the
 * caches (changes may be missed until LISTEN is back) and reconnects with backoff; meanwhile every
 * read goes to the database.
 */
export class PgChangeFeed implements ChangeFeed {
  private client: pg.Client | null = null;
  /** When the last answered proof started: every change committed before it has been delivered. */
  private provenAt = Number.NEGATIVE_INFINITY;
  private readonly subscribers = new Map<ChangeKind, ChangeSubscriber[]>();
  private readonly settings: typeof DEFAULTS;
  private readonly now: () => number;
  private proofInFlight: Promise<void> | null = null;
  private proofQueued: Promise<void> | null = null;
  private proofTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private connected = false;
  private closed = false;

  constructor(private readonly options: PgChangeFeedOptions) {
    this.settings = {
      maxStalenessMs: options.maxStalenessMs ?? DEFAULTS.maxStalenessMs,
      proofIntervalMs: options.proofIntervalMs ?? DEFAULTS.proofIntervalMs,
      syncTimeoutMs: options.syncTimeoutMs ?? DEFAULTS.syncTimeoutMs,
    };
    this.now = options.now ?? Date.now;
  }

  /** Connects in the background; until the first proof the caches pass every read through. */
  start(): void {
    void this.connect();
  }

  isCurrent(): boolean {
    return this.now() - this.provenAt < this.settings.maxStalenessMs;
  }

  subscribe(kind: ChangeKind, subscriber: ChangeSubscriber): void {
    this.subscribers.set(kind, [...(this.subscribers.get(kind) ?? []), subscriber]);
  }

  /**
   * Returns once every change committed before the call has reached the caches: a writer calls it
   * after its commit, so this process reads its own writes. If that takes longer than
   * `syncTimeoutMs` the caches are emptied and pass reads through until the next proof; never throws.
   */
  async sync(): Promise<void> {
    if (!this.client) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<true>((resolve) => {
      timer = setTimeout(() => resolve(true), this.settings.syncTimeoutMs);
    });
    const late = await Promise.race([this.prove().then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) this.forget();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.proofTimer);
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    this.provenAt = Number.NEGATIVE_INFINITY;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: `${this.options.applicationName} read-cache`,
      connectionTimeoutMillis: 5_000,
      query_timeout: 5_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client.on('notification', (message) => this.deliver(message.payload));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the read-cache session ended')));
    this.client = client;
    try {
      await client.connect();
      await confirmDirectSession(client, `the read-cache listener of ${this.options.applicationName}`);
      await this.confirmTriggers(client);
      await client.query(`LISTEN ${READ_CACHE_CHANNEL}`);
      if (this.client !== client) return;
      // Whatever changed while no session listened was not announced to this process.
      this.resetSubscribers();
      this.failures = 0;
      clearInterval(this.proofTimer);
      this.proofTimer = setInterval(() => void this.prove(), this.settings.proofIntervalMs);
      this.proofTimer.unref();
      await this.prove();
    } catch (error) {
      this.lost(client, error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Without the triggers nothing would ever be announced: the caches must then never serve. */
  private async confirmTriggers(client: pg.Client): Promise<void> {
    const { rows } = await client.query<{ tgname: string }>(
      'SELECT tgname FROM pg_trigger WHERE tgname = ANY($1::text[]) AND NOT tgisinternal',
      [REQUIRED_TRIGGERS],
    );
    const missing = REQUIRED_TRIGGERS.filter((name) => !rows.some((row) => row.tgname === name));
    if (missing.length > 0) throw new Error(`the read-cache triggers are missing (${missing.join(', ')}): run the migrations`);
  }

  /** One proof at a time; callers that arrive while one is in flight share the next one, which starts after them. */
  private prove(): Promise<void> {
    if (!this.client) return Promise.resolve();
    if (!this.proofInFlight) return this.startProof();
    this.proofQueued ??= this.proofInFlight.then(() => {
      this.proofQueued = null;
      return this.proofInFlight ?? this.startProof();
    });
    return this.proofQueued;
  }

  private startProof(): Promise<void> {
    const client = this.client;
    if (!client) return Promise.resolve();
    const startedAt = this.now();
    const proof = client.query('SELECT 1').then(
      () => {
        if (this.client !== client) return;
        this.provenAt = Math.max(this.provenAt, startedAt);
        this.setConnected();
      },
      (error: unknown) => this.lost(client, error instanceof Error ? error : new Error(String(error))),
    );
    const tracked: Promise<void> = proof.finally(() => {
      if (this.proofInFlight === tracked) this.proofInFlight = null;
    });
    this.proofInFlight = tracked;
    return tracked;
  }

  private deliver(payload: string | undefined): void {
    const separator = payload?.indexOf(':') ?? -1;
    if (!payload || separator < 1) return;
    const subscribers = this.subscribers.get(payload.slice(0, separator) as ChangeKind);
    if (!subscribers) return;
    const id = payload.slice(separator + 1);
    for (const subscriber of subscribers) subscriber.invalidate(id);
  }

  /** Changes may have gone unseen: serve nothing until a proof on a listening session is answered. */
  private forget(): void {
    this.provenAt = Number.NEGATIVE_INFINITY;
    this.resetSubscribers();
  }

  private resetSubscribers(): void {
    for (const subscribers of this.subscribers.values()) for (const subscriber of subscribers) subscriber.reset();
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    clearInterval(this.proofTimer);
    this.forget();
    // Reported when a working session is lost, and for the first failure of a streak of attempts.
    if (this.connected || this.failures === 0) this.options.onConnectionChange?.(false, error);
    this.connected = false;
    client.end().catch(() => undefined);
    if (this.closed) return;
    const delay = Math.min(MAX_RECONNECT_DELAY_MS, 100 * 2 ** this.failures++);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }

  private setConnected(): void {
    if (this.connected) return;
    this.connected = true;
    this.options.onConnectionChange?.(true);
  }
}
