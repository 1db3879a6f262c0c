import { setTimeout as sleep } from 'node:timers/promises';
import type { EventType } from '@pandora/domain';
import type { Logger } from '@pandora/observability';
import type { Cluster, default as Redis } from 'ioredis';
import { deadLetterStreamOf, fullKey, nodeFor, type StreamRedis } from './redis-keys';
import { decodeStreamEntry, toTypedEvent, type RawStreamEvent, type StreamEvent } from './stream-entry';

export type EventHandlers = { [T in EventType]?: (event: StreamEvent<T>) => Promise<void> | void };

export interface ConsumerHooks {
  /** The entry was acknowledged after its handler succeeded (or it needed no handler). */
  onAck?(entry: { streamId: string; eventId: string | null }): void;
  /** A handler failed; the entry stays pending and is redelivered, or dead-lettered at the limit. */
  onFailure?(entry: { streamId: string; eventId: string; deliveryCount: number; error: unknown }): void;
  /** The entry was written to the dead-letter stream (and then acknowledged). */
  onDeadLetter?(entry: { streamId: string; reason: string; deliveryCount: number }): void;
}

export interface StreamConsumerOptions {
  /** Used for every command (one node, Sentinel or Cluster); a duplicate connection is made for the blocking reads. */
  redis: StreamRedis;
  stream: string;
  group: string;
  /**
   * This consumer's name inside the group. Give it a stable name per replica (a pod name): a
   * restarted consumer then takes its own pending entries back at once; a consumer that never
   * returns has its entries claimed by the others after `claimIdleMs`.
   */
  consumer: string;
  /** Typed handlers by event type: payloads arrive validated against the domain schemas. */
  handlers?: EventHandlers;
  /** Events without a typed handler (including types this build does not know); default: acked. */
  onUnhandled?: (event: RawStreamEvent) => Promise<void> | void;
  /** Where a group created by this consumer starts: only new entries (default) or the whole stream. */
  startFrom?: 'new' | 'beginning';
  /** Deliveries of one entry before it goes to the dead-letter stream (default 5). */
  maxDeliveries?: number;
  /** A failed entry of this consumer is retried after this long (default 5 s). */
  retryDelayMs?: number;
  /** An entry pending this long on another consumer is taken over with XAUTOCLAIM (default 60 s). */
  claimIdleMs?: number;
  /** How often pending entries are looked at (default 1 s). */
  sweepIntervalMs?: number;
  /** Entries per read (default 32). */
  batchSize?: number;
  /** How long a read blocks waiting for new entries (default 2 s). */
  blockMs?: number;
  /** Default `<stream>:dlq`. `null`: never dead-letter (a read-only tool); such entries are acked and logged. */
  deadLetterStream?: string | null;
  /** Cap of the reconnect backoff while Redis is unreachable (default 5 s). */
  maxBackoffMs?: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  hooks?: ConsumerHooks;
}

type Entry = [id: string, fields: string[] | null];
type PendingRow = [id: string, consumer: string, idleMs: number, deliveries: number];

const DEFAULTS = {
  maxDeliveries: 5,
  retryDelayMs: 5_000,
  claimIdleMs: 60_000,
  sweepIntervalMs: 1_000,
  batchSize: 32,
  blockMs: 2_000,
  maxBackoffMs: 5_000,
};

/**
 * A second connection like `redis` for the blocking XREADGROUP (it holds its socket for up to
 * blockMs), with a command timeout that leaves room for the block.
 */
function duplicateForBlockingReads(redis: StreamRedis, blockMs: number): StreamRedis {
  if (redis.isCluster) {
    const cluster = redis as Cluster;
    const nodeOptions = cluster.options.redisOptions ?? {};
    const commandTimeout = nodeOptions.commandTimeout;
    return cluster.duplicate([], {
      lazyConnect: true,
      redisOptions: {
        ...nodeOptions,
        connectionName: `${nodeOptions.connectionName ?? 'stream-consumer'}:reader`,
        ...(commandTimeout !== undefined ? { commandTimeout: commandTimeout + blockMs } : {}),
      },
    });
  }
  const single = redis as Redis;
  const commandTimeout = single.options.commandTimeout;
  return single.duplicate({
    connectionName: `${single.options.connectionName ?? 'stream-consumer'}:reader`,
    lazyConnect: true,
    // A blocking read legitimately waits blockMs; a command timeout shorter than that would fail it.
    ...(commandTimeout !== undefined ? { commandTimeout: commandTimeout + blockMs } : {}),
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A consumer-group reader of the event stream with at-least-once delivery:
 *  - the group is created if missing (`XGROUP CREATE … MKSTREAM`);
 *  - on start, the consumer's own pending entries (delivered before a crash) are handled first;
 *  - new entries are read with `XREADGROUP … >` and acknowledged (`XACK`) only after their
 *    handler succeeded;
 *  - a failed entry stays pending and is retried after `retryDelayMs`; entries stuck on a consumer
 *    that went away are taken over with `XAUTOCLAIM` after `claimIdleMs`;
 *  - after `maxDeliveries` deliveries, or at once when it cannot be parsed, an entry is copied to
 *    the dead-letter stream and only then acknowledged (a crash in between duplicates the
 *    dead-letter entry, it never loses the event).
 * Handlers must be idempotent (deduplicate by `eventId`): redelivery is the price of never losing.
 */
export class StreamConsumer {
  private readonly settings: typeof DEFAULTS;
  private readonly deadLetterStream: string | null;
  private readonly reader: StreamRedis;
  /** The server-side id of the reader's connection to the stream's master, for CLIENT UNBLOCK. */
  private readerClient: { node: Redis; id: number } | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private stopped: Promise<void> | null = null;
  private reading = false;
  private readonly wake = new AbortController();

  constructor(private readonly options: StreamConsumerOptions) {
    this.settings = {
      maxDeliveries: options.maxDeliveries ?? DEFAULTS.maxDeliveries,
      retryDelayMs: options.retryDelayMs ?? DEFAULTS.retryDelayMs,
      claimIdleMs: options.claimIdleMs ?? DEFAULTS.claimIdleMs,
      sweepIntervalMs: options.sweepIntervalMs ?? DEFAULTS.sweepIntervalMs,
      batchSize: options.batchSize ?? DEFAULTS.batchSize,
      blockMs: options.blockMs ?? DEFAULTS.blockMs,
      maxBackoffMs: options.maxBackoffMs ?? DEFAULTS.maxBackoffMs,
    };
    if (this.settings.maxDeliveries < 1) throw new Error('maxDeliveries must be at least 1');
    if (this.settings.blockMs < 1) throw new Error('blockMs must be at least 1 (0 would block forever)');
    this.deadLetterStream = options.deadLetterStream === undefined ? deadLetterStreamOf(options.stream) : options.deadLetterStream;
    this.reader = duplicateForBlockingReads(options.redis, this.settings.blockMs);
    this.reader.on('error', (error: Error) => options.logger.warn('event stream reader connection error', { error: error.message }));
    // A new connection has a new id (and after a failover, another server).
    this.reader.on('ready', () => (this.readerClient = null));
  }

  /** Creates the group if needed and starts consuming in the background. Rejects if Redis is unreachable. */
  async start(): Promise<void> {
    if (this.loop) throw new Error('the consumer is already started');
    await this.ensureGroup();
    await this.reader
      .connect()
      .catch((error: Error) => this.options.logger.warn('event stream reader not connected yet', { error: error.message }));
    this.loop = this.run();
  }

  /** Stops reading, lets the entries already delivered to this consumer finish, then disconnects. */
  stop(): Promise<void> {
    this.stopped ??= this.shutDown();
    return this.stopped;
  }

  private async shutDown(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    if (this.reading && this.readerClient !== null) {
      // Ends the blocking XREADGROUP now, as if it had timed out, instead of after blockMs. It is
      // sent to the server the read blocks on (on a Cluster, the stream's master).
      const { id } = this.readerClient;
      await Promise.resolve()
        .then(() => nodeFor(this.options.redis, this.options.stream).client('UNBLOCK', id, 'TIMEOUT'))
        .catch(() => undefined);
    }
    await this.loop;
    // QUIT lets the server close the socket at once; a bare disconnect lingers until a 2 s timer.
    await this.reader.quit().catch(() => this.reader.disconnect());
  }

  /** Removes the group (and its pending entries) from the stream; for throw-away groups such as a tail. */
  async destroyGroup(): Promise<void> {
    await this.options.redis.xgroup('DESTROY', fullKey(this.options.redis, this.options.stream), this.options.group);
  }

  private async ensureGroup(): Promise<void> {
    const startId = this.options.startFrom === 'beginning' ? '0' : '$';
    try {
      await this.options.redis.xgroup('CREATE', fullKey(this.options.redis, this.options.stream), this.options.group, startId, 'MKSTREAM');
      this.options.logger.info('consumer group created', { stream: this.options.stream, group: this.options.group, start_id: startId });
    } catch (error) {
      if (!/BUSYGROUP/.test(messageOf(error))) throw error;
    }
  }

  private async run(): Promise<void> {
    let recovered = false;
    let nextSweepAt = 0;
    let failures = 0;
    while (!this.stopping) {
      try {
        if (!recovered) {
          // Whatever was delivered to this consumer name before a restart comes first.
          await this.retryOwnPending(0);
          recovered = true;
        }
        if (Date.now() >= nextSweepAt) {
          await this.retryOwnPending(this.settings.retryDelayMs);
          await this.claimAbandoned();
          nextSweepAt = Date.now() + this.settings.sweepIntervalMs;
        }
        if (this.stopping) break;
        const entries = await this.readNew(Math.max(1, Math.min(this.settings.blockMs, nextSweepAt - Date.now())));
        // Entries already delivered to this consumer are handled even when a stop was requested.
        for (const [id, fields] of entries) await this.deliver(id, fields, 1);
        failures = 0;
      } catch (error) {
        failures++;
        if (/NOGROUP/.test(messageOf(error))) {
          this.options.logger.warn('consumer group or stream disappeared; creating it again', { group: this.options.group });
          await this.ensureGroup().catch(() => undefined);
        } else {
          this.options.logger.warn('event stream unavailable; retrying', { error: messageOf(error), attempt: failures });
        }
        const delay = Math.min(this.settings.maxBackoffMs, 100 * 2 ** Math.min(failures - 1, 10));
        await sleep(delay * (0.5 + Math.random() / 2), undefined, { signal: this.wake.signal }).catch(() => undefined);
      }
    }
  }

  private async readNew(blockMs: number): Promise<Entry[]> {
    // A connection that gave up reconnecting (a caller's retryStrategy may stop) is started again.
    if (this.reader.status === 'end' || this.reader.status === 'wait') await this.reader.connect();
    await this.rememberReaderClient();
    this.reading = true;
    try {
      const reply = (await this.reader.xreadgroup(
        'GROUP',
        this.options.group,
        this.options.consumer,
        'COUNT',
        this.settings.batchSize,
        'BLOCK',
        blockMs,
        'STREAMS',
        this.options.stream,
        '>',
      )) as Array<[string, Entry[]]> | null;
      return reply?.[0]?.[1] ?? [];
    } finally {
      this.reading = false;
    }
  }

  /** Learns the reader connection's client id on the server that holds the stream (once per connection). */
  private async rememberReaderClient(): Promise<void> {
    const node = nodeFor(this.reader, this.options.stream);
    if (this.readerClient?.node === node) return;
    this.readerClient = null;
    const id = Number(await node.client('ID'));
    this.readerClient = { node, id };
  }

  /**
   * This consumer's pending entries idle for at least `minIdleMs`: those at the delivery limit go
   * to the dead-letter stream, the others are claimed again (which counts a delivery) and handled.
   */
  private async retryOwnPending(minIdleMs: number): Promise<void> {
    const { redis, stream, group, consumer } = this.options;
    let start = '-';
    for (;;) {
      const rows = (await redis.xpending(stream, group, 'IDLE', minIdleMs, start, '+', this.settings.batchSize, consumer)) as PendingRow[];
      if (rows.length === 0) return;
      const retry: PendingRow[] = [];
      for (const row of rows) {
        if (row[3] >= this.settings.maxDeliveries) await this.deadLetterById(row[0], row[3], `gave up after ${row[3]} deliveries`);
        else retry.push(row);
      }
      if (retry.length > 0) {
        const deliveries = new Map(retry.map(([id, , , count]) => [id, count + 1]));
        const claimed = (await redis.xclaim(stream, group, consumer, minIdleMs, ...retry.map(([id]) => id))) as Entry[];
        for (const [id, fields] of claimed) await this.deliver(id, fields, deliveries.get(id) ?? 1);
      }
      if (rows.length < this.settings.batchSize) return;
      start = `(${(rows[rows.length - 1] as PendingRow)[0]}`;
    }
  }

  /** Takes over entries that sat on any consumer (a crashed one) longer than `claimIdleMs`. */
  private async claimAbandoned(): Promise<void> {
    const { redis, stream, group, consumer } = this.options;
    let cursor = '0-0';
    do {
      const [next, entries, deleted] = (await redis.xautoclaim(
        stream,
        group,
        consumer,
        this.settings.claimIdleMs,
        cursor,
        'COUNT',
        this.settings.batchSize,
      )) as [string, Entry[], string[]?];
      if (deleted && deleted.length > 0) {
        this.options.logger.warn('pending entries were trimmed from the stream before anyone handled them', { stream_ids: deleted });
      }
      if (entries.length > 0) {
        // XAUTOCLAIM counted this delivery; XPENDING tells how many there were in all.
        const pipeline = redis.pipeline();
        for (const [id] of entries) pipeline.xpending(stream, group, id, id, 1);
        const counts = ((await pipeline.exec()) ?? []).map(([, rows]) => ((rows as PendingRow[] | null)?.[0]?.[3] ?? 1) as number);
        for (const [index, [id, fields]] of entries.entries()) {
          const deliveries = counts[index] ?? 1;
          this.options.logger.info('claimed an entry from an unresponsive consumer', { stream_id: id, deliveries });
          if (deliveries > this.settings.maxDeliveries)
            await this.deadLetter(id, fields ?? [], deliveries - 1, `gave up after ${deliveries - 1} deliveries`);
          else await this.deliver(id, fields, deliveries);
        }
      }
      cursor = next;
    } while (cursor !== '0-0' && !this.stopping);
  }

  /** Handles one delivery: parse, dispatch, then acknowledge, retry later, or dead-letter. */
  private async deliver(id: string, fields: string[] | null, deliveryCount: number): Promise<void> {
    if (fields === null) {
      // The entry was trimmed (MAXLEN) while pending: nothing is left to handle.
      this.options.logger.warn('pending entry no longer exists in the stream; acknowledging it', { stream_id: id });
      await this.ack(id, null);
      return;
    }
    const decoded = decodeStreamEntry(id, fields, deliveryCount);
    if (!decoded.ok) {
      await this.deadLetter(id, fields, deliveryCount, decoded.reason);
      return;
    }
    const raw = decoded.value;
    const handler = this.handlerFor(raw.type);
    let run: () => Promise<void> | void;
    if (handler) {
      const typed = toTypedEvent(raw);
      if (!typed.ok) {
        await this.deadLetter(id, fields, deliveryCount, typed.reason);
        return;
      }
      run = () => handler(typed.value);
    } else if (this.options.onUnhandled) {
      const onUnhandled = this.options.onUnhandled;
      run = () => onUnhandled(raw);
    } else {
      await this.ack(id, raw.eventId);
      return;
    }

    try {
      await run();
    } catch (error) {
      this.options.hooks?.onFailure?.({ streamId: id, eventId: raw.eventId, deliveryCount, error });
      this.options.logger.warn('event handler failed', {
        stream_id: id,
        event_id: raw.eventId,
        event_type: raw.type,
        delivery: deliveryCount,
        max_deliveries: this.settings.maxDeliveries,
        error: messageOf(error),
      });
      if (deliveryCount >= this.settings.maxDeliveries) {
        await this.deadLetter(id, fields, deliveryCount, `handler failed ${deliveryCount} times; last error: ${messageOf(error)}`);
      }
      return;
    }
    await this.ack(id, raw.eventId);
  }

  private handlerFor(type: string): ((event: StreamEvent) => Promise<void> | void) | undefined {
    const handlers = this.options.handlers as Record<string, ((event: StreamEvent) => Promise<void> | void) | undefined> | undefined;
    return handlers?.[type];
  }

  private async ack(id: string, eventId: string | null): Promise<void> {
    await this.options.redis.xack(this.options.stream, this.options.group, id);
    this.options.hooks?.onAck?.({ streamId: id, eventId });
  }

  private async deadLetterById(id: string, deliveryCount: number, reason: string): Promise<void> {
    const found = (await this.options.redis.xrange(this.options.stream, id, id)) as Entry[];
    const fields = found[0]?.[1];
    if (!fields) {
      await this.ack(id, null);
      return;
    }
    await this.deadLetter(id, fields, deliveryCount, reason);
  }

  /** Copies the entry to the dead-letter stream, then acknowledges it: in that order, always. */
  private async deadLetter(id: string, fields: string[], deliveryCount: number, reason: string): Promise<void> {
    const { redis, stream, group, consumer, logger } = this.options;
    if (this.deadLetterStream === null) {
      logger.error('dropping an entry that cannot be handled (no dead-letter stream configured)', { stream_id: id, reason });
      await this.ack(id, null);
      return;
    }
    await redis.xadd(
      this.deadLetterStream,
      '*',
      ...fields,
      'dlq_source_stream',
      stream,
      'dlq_source_id',
      id,
      'dlq_group',
      group,
      'dlq_consumer',
      consumer,
      'dlq_deliveries',
      String(deliveryCount),
      'dlq_reason',
      reason.slice(0, 1_000),
      'dlq_at',
      new Date().toISOString(),
    );
    logger.error('entry moved to the dead-letter stream', {
      stream_id: id,
      dead_letter_stream: this.deadLetterStream,
      deliveries: deliveryCount,
      reason,
    });
    await redis.xack(stream, group, id);
    this.options.hooks?.onDeadLetter?.({ streamId: id, reason, deliveryCount });
  }
}
