import { randomUUID } from 'node:crypto';
import { createTestRedis, type TestRedis } from '@pandora/testing';
import type Redis from 'ioredis';
import {
  appendToStream,
  encodeStreamEntry,
  StreamConsumer,
  type RawStreamEvent,
  type StreamConsumerOptions,
  type StreamEvent,
} from '../src';
import { connectClient, memoryLogger, registeredEvent, waitFor } from './support';

let testRedis: TestRedis;
let redis: Redis;
const consumers: StreamConsumer[] = [];

beforeAll(async () => {
  testRedis = await createTestRedis();
  redis = await connectClient(testRedis);
});
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
});
afterAll(async () => {
  await redis.quit();
  await testRedis.cleanup();
});

function newStream(): string {
  return `events-${randomUUID().slice(0, 8)}`;
}

function startConsumer(options: Partial<StreamConsumerOptions> & Pick<StreamConsumerOptions, 'stream'>) {
  const logger = memoryLogger();
  // Counts the consumer's sweeps (one XAUTOCLAIM each, every sweepIntervalMs of its own timer):
  // a test that checks that nothing more happens waits for sweeps, not for a fixed time.
  let sweeps = 0;
  const counting = new Proxy(options.redis ?? redis, {
    get(target, property, receiver) {
      if (property === 'xautoclaim') sweeps++;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  const consumer = new StreamConsumer({
    group: 'wallet',
    consumer: 'wallet-1',
    logger,
    sweepIntervalMs: 50,
    retryDelayMs: 100,
    claimIdleMs: 60_000,
    blockMs: 200,
    ...options,
    redis: counting,
  });
  consumers.push(consumer);
  return { consumer, logger, started: consumer.start(), sweeps: () => sweeps };
}

/** Until the consumer has swept `count` more times: at least (count - 1) × sweepIntervalMs (50 ms) of its own time. */
async function sweptAgain(consumer: { sweeps: () => number }, count: number): Promise<void> {
  const target = consumer.sweeps() + count;
  await waitFor(() => consumer.sweeps() >= target, `${count} more sweeps`);
}

async function pendingCount(stream: string, group = 'wallet'): Promise<number> {
  const summary = (await redis.xpending(stream, group)) as [number, ...unknown[]];
  return summary[0];
}

describe('the stream consumer helper', () => {
  it('creates its group with MKSTREAM under the client key prefix, and tolerates an existing group', async () => {
    const stream = newStream();
    await startConsumer({ stream }).started;
    await startConsumer({ stream, consumer: 'wallet-2' }).started;
    const groups = (await testRedis.raw.xinfo('GROUPS', `${testRedis.keyPrefix}${stream}`)) as unknown[][];
    expect(groups.map((group) => group[1])).toEqual(['wallet']);
    expect(await testRedis.raw.exists(stream)).toBe(0);
  });

  it('hands each event to the handler of its type, validated, and acks it exactly once', async () => {
    const stream = newStream();
    const seen: StreamEvent<'user.registered'>[] = [];
    const acks: string[] = [];
    await startConsumer({
      stream,
      handlers: { 'user.registered': (event) => void seen.push(event) },
      hooks: { onAck: ({ streamId }) => acks.push(streamId) },
    }).started;
    const events = [registeredEvent(), registeredEvent(), registeredEvent()];
    const { streamIds } = await appendToStream(redis, { stream, maxLength: 1000 }, events);

    await waitFor(() => acks.length === 3, 'three acks');
    expect(seen.map((event) => [event.eventId, event.deliveryCount, event.payload.email])).toEqual(
      events.map((event) => [event.eventId, 1, (event.payload as { email: string }).email]),
    );
    expect(acks).toEqual(streamIds);
    expect(await pendingCount(stream)).toBe(0);

    // Restarted, with sweeps running: nothing comes back.
    await consumers.pop()?.stop();
    const restarted = startConsumer({
      stream,
      handlers: { 'user.registered': (event) => void seen.push(event) },
      hooks: { onAck: ({ streamId }) => acks.push(streamId) },
    });
    await restarted.started;
    // Its own pending entries are taken back before the first sweep; 5 sweeps outlast retryDelayMs (100 ms).
    await sweptAgain(restarted, 5);
    expect(seen).toHaveLength(3);
    expect(acks).toHaveLength(3);
  });

  it('redelivers an entry whose handler failed, with a higher delivery count', async () => {
    const stream = newStream();
    const deliveries: number[] = [];
    await startConsumer({
      stream,
      handlers: {
        'user.registered': (event) => {
          deliveries.push(event.deliveryCount);
          if (event.deliveryCount === 1) throw new Error('wallet database busy');
        },
      },
    }).started;
    await appendToStream(redis, { stream, maxLength: 1000 }, [registeredEvent()]);
    await waitFor(async () => deliveries.length === 2 && (await pendingCount(stream)) === 0, 'a successful second delivery');
    expect(deliveries).toEqual([1, 2]);
  });

  it('claims an entry left pending by a consumer that died, and handles it', async () => {
    const stream = newStream();
    await redis.xgroup('CREATE', `${testRedis.keyPrefix}${stream}`, 'wallet', '$', 'MKSTREAM');
    const [event] = [registeredEvent()];
    await appendToStream(redis, { stream, maxLength: 1000 }, [event as never]);
    // A consumer reads the entry and dies before acknowledging it.
    await redis.xreadgroup('GROUP', 'wallet', 'wallet-dead', 'COUNT', 10, 'STREAMS', stream, '>');
    expect(await pendingCount(stream)).toBe(1);

    const handled: StreamEvent<'user.registered'>[] = [];
    const { logger, started } = startConsumer({
      stream,
      consumer: 'wallet-alive',
      claimIdleMs: 300,
      handlers: { 'user.registered': (e) => void handled.push(e) },
    });
    await started;
    await waitFor(async () => handled.length === 1 && (await pendingCount(stream)) === 0, 'the claimed entry to be handled');
    expect(handled[0]?.eventId).toBe(event?.eventId);
    expect(handled[0]?.deliveryCount).toBe(2);
    expect(logger.lines).toContainEqual(expect.objectContaining({ message: 'claimed an entry from an unresponsive consumer' }));
  });

  /** An entry read by `wallet-dead`, which then went away; it counts `deliveries` deliveries. */
  async function leftOnDeadConsumer(stream: string, deliveries: number) {
    await redis.xgroup('CREATE', `${testRedis.keyPrefix}${stream}`, 'wallet', '$', 'MKSTREAM');
    const event = registeredEvent();
    const { streamIds } = await appendToStream(redis, { stream, maxLength: 1000 }, [event]);
    const streamId = streamIds[0] as string;
    await redis.xreadgroup('GROUP', 'wallet', 'wallet-dead', 'COUNT', 10, 'STREAMS', stream, '>');
    // Each XCLAIM is one more delivery (the dead consumer had been retrying it).
    for (let delivery = 2; delivery <= deliveries; delivery++) await redis.xclaim(stream, 'wallet', 'wallet-dead', 0, streamId);
    return { event, streamId };
  }

  const dlqFields = async (stream: string) => {
    const entries = (await redis.xrange(`${stream}:dlq`, '-', '+')) as Array<[string, string[]]>;
    return entries.map(([, fields]) =>
      Object.fromEntries(fields.flatMap((value, index) => (index % 2 === 0 ? [[value, fields[index + 1]]] : []))),
    );
  };

  it('dead-letters, without calling the handler, an entry claimed from a dead consumer that had used up its deliveries', async () => {
    const stream = newStream();
    const { event, streamId } = await leftOnDeadConsumer(stream, 3);
    const handler = jest.fn();
    const deadLettered: Array<{ streamId: string; deliveryCount: number }> = [];
    await startConsumer({
      stream,
      consumer: 'wallet-alive',
      maxDeliveries: 3,
      claimIdleMs: 300,
      handlers: { 'user.registered': handler },
      hooks: { onDeadLetter: ({ streamId: id, deliveryCount }) => deadLettered.push({ streamId: id, deliveryCount }) },
    }).started;

    await waitFor(async () => deadLettered.length === 1 && (await pendingCount(stream)) === 0, 'the claimed entry to be dead-lettered');
    expect(handler).not.toHaveBeenCalled();
    expect(deadLettered).toEqual([{ streamId, deliveryCount: 3 }]);
    expect(await dlqFields(stream)).toEqual([
      expect.objectContaining({
        event_id: event.eventId,
        dlq_source_id: streamId,
        dlq_consumer: 'wallet-alive',
        dlq_deliveries: '3',
        dlq_reason: 'gave up after 3 deliveries',
      }),
    ]);
  });

  it('retries on this consumer an entry whose handler fails after it was claimed from a dead consumer', async () => {
    const stream = newStream();
    const { event } = await leftOnDeadConsumer(stream, 1);
    const deliveries: Array<[string, number]> = [];
    const owners: string[] = [];
    await startConsumer({
      stream,
      consumer: 'wallet-alive',
      maxDeliveries: 3,
      claimIdleMs: 300,
      handlers: {
        'user.registered': async (received) => {
          deliveries.push([received.eventId, received.deliveryCount]);
          const [pending] = (await redis.xpending(stream, 'wallet', '-', '+', 1)) as Array<[string, string, number, number]>;
          owners.push(pending?.[1] ?? 'none');
          if (received.deliveryCount === 2) throw new Error('wallet database busy');
        },
      },
    }).started;

    await waitFor(async () => deliveries.length === 2 && (await pendingCount(stream)) === 0, 'a successful retry of the claimed entry');
    expect(deliveries).toEqual([
      [event.eventId, 2],
      [event.eventId, 3],
    ]);
    // After the failure the entry stayed with the consumer that claimed it, which retried it itself.
    expect(owners).toEqual(['wallet-alive', 'wallet-alive']);
    expect(await redis.exists(`${stream}:dlq`)).toBe(0);
  });

  it('dead-letters an entry whose handler fails on the last delivery it was claimed with', async () => {
    const stream = newStream();
    const { event, streamId } = await leftOnDeadConsumer(stream, 2);
    const deliveries: number[] = [];
    const alive = startConsumer({
      stream,
      consumer: 'wallet-alive',
      maxDeliveries: 3,
      claimIdleMs: 300,
      handlers: {
        'user.registered': (received) => {
          deliveries.push(received.deliveryCount);
          throw new Error('wallet database busy');
        },
      },
    });
    await alive.started;

    await waitFor(async () => (await redis.exists(`${stream}:dlq`)) === 1 && (await pendingCount(stream)) === 0, 'the dead-letter entry');
    expect(deliveries).toEqual([3]);
    expect(await dlqFields(stream)).toEqual([
      expect.objectContaining({
        event_id: event.eventId,
        dlq_source_id: streamId,
        dlq_consumer: 'wallet-alive',
        dlq_deliveries: '3',
        dlq_reason: 'handler failed 3 times; last error: wallet database busy',
      }),
    ]);
    await sweptAgain(alive, 8); // longer than claimIdleMs (300 ms): a claimable entry would have come back
    expect(deliveries).toEqual([3]);
  });

  it('moves an entry to the dead-letter stream after N failed deliveries, then acks it', async () => {
    const stream = newStream();
    const deliveries: number[] = [];
    const deadLettered: string[] = [];
    const consumer = startConsumer({
      stream,
      maxDeliveries: 3,
      handlers: {
        'user.registered': (event) => {
          deliveries.push(event.deliveryCount);
          throw new Error(`attempt ${event.deliveryCount} failed`);
        },
      },
      hooks: { onDeadLetter: ({ streamId }) => deadLettered.push(streamId) },
    });
    await consumer.started;
    const event = registeredEvent();
    const { streamIds } = await appendToStream(redis, { stream, maxLength: 1000 }, [event]);

    await waitFor(() => deadLettered.length === 1, 'the dead-letter write');
    expect(deliveries).toEqual([1, 2, 3]);
    expect(await pendingCount(stream)).toBe(0);
    const dlq = (await redis.xrange(`${stream}:dlq`, '-', '+')) as Array<[string, string[]]>;
    expect(dlq).toHaveLength(1);
    const fields = (dlq[0] as [string, string[]])[1];
    expect(fields.slice(0, 12)).toEqual(encodeStreamEntry(event));
    const extra = Object.fromEntries(
      fields
        .slice(12)
        .reduce<string[][]>((pairs, value, index, all) => (index % 2 === 0 ? [...pairs, [value, all[index + 1] as string]] : pairs), []),
    );
    expect(extra).toEqual({
      dlq_source_stream: stream,
      dlq_source_id: streamIds[0],
      dlq_group: 'wallet',
      dlq_consumer: 'wallet-1',
      dlq_deliveries: '3',
      dlq_reason: 'handler failed 3 times; last error: attempt 3 failed',
      dlq_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    await sweptAgain(consumer, 5); // longer than retryDelayMs (100 ms): a retry still due would have run
    expect(deliveries).toHaveLength(3);
  });

  it('keeps an entry pending when its dead-letter write fails, and dead-letters it once that works', async () => {
    const stream = newStream();
    // The dead-letter key holds a string: XADD to it fails with WRONGTYPE.
    await redis.set(`${stream}:dlq`, 'not a stream');
    const deliveries: number[] = [];
    const { logger, started } = startConsumer({
      stream,
      maxDeliveries: 1,
      handlers: {
        'user.registered': (event) => {
          deliveries.push(event.deliveryCount);
          throw new Error('always fails');
        },
      },
    });
    await started;
    await appendToStream(redis, { stream, maxLength: 1000 }, [registeredEvent()]);
    await waitFor(() => deliveries.length === 1, 'the first delivery');
    // The dead-letter write failed after the delivery and again on a later sweep.
    const failedWrites = () => logger.lines.filter((line) => /WRONGTYPE/.test(String(line.fields?.error))).length;
    await waitFor(() => failedWrites() >= 2, 'two failed dead-letter writes');
    expect(await pendingCount(stream)).toBe(1);

    await redis.del(`${stream}:dlq`);
    await waitFor(async () => (await pendingCount(stream)) === 0, 'the entry to be dead-lettered and acked');
    expect(await redis.xlen(`${stream}:dlq`)).toBe(1);
    expect(deliveries).toEqual([1]);
  });

  it('dead-letters an entry whose payload does not match its schema at once, without calling the handler', async () => {
    const stream = newStream();
    const handler = jest.fn();
    await startConsumer({ stream, handlers: { 'user.registered': handler } }).started;
    const broken = registeredEvent({ payload: { email: 'ada@example.com' } });
    await appendToStream(redis, { stream, maxLength: 1000 }, [broken]);
    await waitFor(async () => (await redis.exists(`${stream}:dlq`)) === 1 && (await pendingCount(stream)) === 0, 'the dead-letter entry');
    const [[, fields]] = (await redis.xrange(`${stream}:dlq`, '-', '+')) as Array<[string, string[]]> as [[string, string[]]];
    expect(fields[fields.indexOf('dlq_reason') + 1]).toMatch(/^invalid user.registered payload: first_name/);
    expect(fields[fields.indexOf('dlq_deliveries') + 1]).toBe('1');
    expect(handler).not.toHaveBeenCalled();
  });

  it('dead-letters a malformed entry at once', async () => {
    const stream = newStream();
    await startConsumer({ stream, handlers: { 'user.registered': jest.fn() } }).started;
    await redis.xadd(stream, '*', 'event_type', 'user.registered', 'payload', '{}');
    await waitFor(async () => (await redis.exists(`${stream}:dlq`)) === 1 && (await pendingCount(stream)) === 0, 'the dead-letter entry');
    const [[, fields]] = (await redis.xrange(`${stream}:dlq`, '-', '+')) as Array<[string, string[]]> as [[string, string[]]];
    expect(fields[fields.indexOf('dlq_reason') + 1]).toMatch(/^malformed entry: event_id/);
  });

  it('handles entries delivered to its name before a restart first', async () => {
    const stream = newStream();
    await redis.xgroup('CREATE', `${testRedis.keyPrefix}${stream}`, 'wallet', '$', 'MKSTREAM');
    const event = registeredEvent();
    await appendToStream(redis, { stream, maxLength: 1000 }, [event]);
    // wallet-1 read the entry, then crashed.
    await redis.xreadgroup('GROUP', 'wallet', 'wallet-1', 'COUNT', 10, 'STREAMS', stream, '>');

    const handled: StreamEvent<'user.registered'>[] = [];
    // Retry and claim delays far away: only the start-up recovery can explain a prompt delivery.
    await startConsumer({ stream, retryDelayMs: 60_000, claimIdleMs: 60_000, handlers: { 'user.registered': (e) => void handled.push(e) } })
      .started;
    await waitFor(async () => handled.length === 1 && (await pendingCount(stream)) === 0, 'the recovered entry', 5_000);
    expect(handled[0]).toMatchObject({ eventId: event.eventId, deliveryCount: 2 });
  });

  it('passes events without a typed handler to onUnhandled, and acks them silently without one', async () => {
    const stream = newStream();
    const unhandled: RawStreamEvent[] = [];
    await startConsumer({ stream, onUnhandled: (event) => void unhandled.push(event) }).started;
    await startConsumer({ stream, group: 'other' }).started;
    const future = registeredEvent({ eventType: 'user.teleported', payload: { to: 'mars' } });
    await appendToStream(redis, { stream, maxLength: 1000 }, [future]);
    await waitFor(
      async () => unhandled.length === 1 && (await pendingCount(stream)) === 0 && (await pendingCount(stream, 'other')) === 0,
      'both groups to finish',
    );
    expect(unhandled[0]).toMatchObject({ type: 'user.teleported', payload: { to: 'mars' } });
    expect(await redis.exists(`${stream}:dlq`)).toBe(0);
  });

  it('starts a new group from the beginning of the stream when asked to', async () => {
    const stream = newStream();
    const earlier = registeredEvent();
    await appendToStream(redis, { stream, maxLength: 1000 }, [earlier]);
    const seen: string[] = [];
    await startConsumer({
      stream,
      group: 'audit',
      startFrom: 'beginning',
      handlers: { 'user.registered': (e) => void seen.push(e.eventId) },
    }).started;
    await waitFor(() => seen.length === 1, 'the earlier event');
    expect(seen).toEqual([earlier.eventId]);
  });

  it('stops gracefully: the running handler finishes and is acked, and an idle read is cut short', async () => {
    const stream = newStream();
    let release: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => {
      release = resolve;
    });
    let finished = false;
    // The handler runs until the test lets it finish, which it does only once the stop has begun.
    let finish: () => void = () => undefined;
    const mayFinish = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const { consumer, started } = startConsumer({
      stream,
      blockMs: 10_000,
      handlers: {
        'user.registered': async () => {
          release();
          await mayFinish;
          finished = true;
        },
      },
    });
    await started;
    await appendToStream(redis, { stream, maxLength: 1000 }, [registeredEvent()]);
    await inHandler;
    const stopping = consumer.stop();
    finish();
    await stopping;
    expect(finished).toBe(true);
    expect(await pendingCount(stream)).toBe(0);

    // A client of its own, so that its reader can be told apart from every other one on the server.
    const name = `idle-${randomUUID().slice(0, 8)}`;
    const named = await connectClient(testRedis, name);
    const idle = startConsumer({ stream, consumer: 'wallet-2', blockMs: 10_000, redis: named });
    await idle.started;
    const readerBlocked = async () =>
      String(await redis.client('LIST'))
        .split('\n')
        .some((line) => line.includes(` name=${name}:reader `) && /\bflags=\S*b/.test(line) && line.includes(' cmd=xreadgroup'));
    await waitFor(readerBlocked, 'the idle consumer to block in its read');
    const stopStarted = Date.now();
    await idle.consumer.stop();
    // CLIENT UNBLOCK ends the 10 s blocking read; generous bound for a busy machine.
    expect(Date.now() - stopStarted).toBeLessThan(5_000);
    await named.quit();
  });
});
