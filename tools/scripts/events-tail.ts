/**
 * `npm run events:tail [-- --json] [--from-beginning] [--count N] [--stream NAME]`
 *
 * Prints the event stream as events arrive: one readable line per event, or one JSON object per
 * line with --json (for jq and friends: `npm run -s events:tail -- --json | jq`; -s keeps npm's
 * own banner off stdout). Built on the consumer helper with a throw-away consumer
 * group (`events-tail.<host>.<pid>`), created at start and destroyed on exit, so that it never
 * takes entries away from real consumer groups and never writes to the dead-letter stream.
 * Reads REDIS_URL (or REDIS_HOST…), REDIS_KEY_PREFIX and EVENTS_STREAM; a local .env fills gaps.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildEventStreamReaderConfig, ConfigError, describeRedis } from '@pandora/config';
import { createRedisClient } from '@pandora/data-access';
import { formatEventLine, StreamConsumer, type EventLineFormat } from '@pandora/event-stream';
import { createLogger } from '@pandora/observability';

const root = path.resolve(__dirname, '../..');
if (fs.existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));

const USAGE = `usage: npm run events:tail -- [--json] [--from-beginning] [--count N] [--stream NAME]
  --json             one JSON object per line (default: a readable line per event); with npm run -s
                     nothing else reaches stdout: npm run -s events:tail -- --json | jq
  --from-beginning   start with the oldest entry still in the stream (default: only new events)
  --count N          exit after N events
  --stream NAME      the stream to read (default: EVENTS_STREAM, or user-service:events)`;

function parseOptions() {
  try {
    const { values } = parseArgs({
      options: {
        json: { type: 'boolean', default: false },
        'from-beginning': { type: 'boolean', default: false },
        count: { type: 'string' },
        stream: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const count = values.count === undefined ? null : Number(values.count);
    if (count !== null && (!Number.isInteger(count) || count < 1)) throw new Error('--count expects a positive whole number');
    return {
      format: (values.json ? 'json' : 'text') as EventLineFormat,
      fromBeginning: values['from-beginning'],
      count,
      stream: values.stream,
    };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

/**
 * `npm run` (without -s) prints its "> … events:tail" banner on stdout before this process starts,
 * which breaks `| jq`. It cannot be taken back from here; say how to avoid it, on stderr.
 */
function adviseAgainstNpmBanner(format: EventLineFormat): void {
  const bannerPrinted = process.env.npm_lifecycle_event === 'events:tail' && process.env.npm_config_loglevel !== 'silent';
  if (format === 'json' && bannerPrinted && !process.stdout.isTTY) {
    process.stderr.write(
      'events:tail: npm printed its "> …" banner on stdout before the JSON lines; for pure JSON use `npm run -s events:tail -- --json`\n',
    );
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  adviseAgainstNpmBanner(options.format);
  const config = buildEventStreamReaderConfig(options.stream ? { ...process.env, EVENTS_STREAM: options.stream } : process.env);
  // Diagnostics go to stderr: stdout carries only events (and stays valid JSON lines with --json).
  const logger = createLogger({ service: 'events-tail', level: 'warn', stream: process.stderr });
  const redis = createRedisClient({ connection: config.redis, connectionName: 'events-tail' });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    process.stderr.write(`cannot reach Redis at ${describeRedis(config.redis)}: ${(error as Error).message}\n`);
    process.exit(1);
  }

  let printed = 0;
  let finishing: Promise<void> | null = null;
  const consumer = new StreamConsumer({
    redis,
    stream: config.stream.name,
    group: `events-tail.${os.hostname()}.${process.pid}`,
    consumer: 'tail',
    startFrom: options.fromBeginning ? 'beginning' : 'new',
    deadLetterStream: null,
    blockMs: 1_000,
    logger,
    onUnhandled: (event) => {
      if (options.count !== null && printed >= options.count) return;
      process.stdout.write(`${formatEventLine(event, options.format)}\n`);
      printed++;
      if (options.count !== null && printed >= options.count) void finish(0);
    },
  });

  const finish = (code: number): Promise<void> =>
    (finishing ??= (async () => {
      await consumer.stop();
      await consumer.destroyGroup().catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
      process.exit(code);
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void finish(0));
  // `events:tail | head`: the reader went away, stop quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => void finish(error.code === 'EPIPE' ? 0 : 1));

  await consumer.start();
  if (options.format === 'text') {
    process.stderr.write(
      `tailing ${config.stream.name}${config.redis.keyPrefix ? ` (key prefix ${config.redis.keyPrefix})` : ''}${options.fromBeginning ? ' from the beginning' : ''}; Ctrl-C to stop\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `events:tail failed: ${(error as Error).message}\n`);
  process.exit(1);
});
