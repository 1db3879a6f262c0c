import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { createTestRedis, WORKSPACE_ROOT, type TestRedis } from '@pandora/testing';
import type Redis from 'ioredis';
import { appendToStream } from '../src';
import { connectClient, registeredEvent, waitFor } from './support';

/** `npm run events:tail` (tools/scripts/events-tail.ts) as a real process against real Redis. */
let testRedis: TestRedis;
let redis: Redis;

beforeAll(async () => {
  testRedis = await createTestRedis();
  redis = await connectClient(testRedis);
});
afterAll(async () => {
  await redis.quit();
  await testRedis.cleanup();
});

function tail(stream: string, args: string[]) {
  let stdout = '';
  let stderr = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'tools/scripts/events-tail.ts', ...args], {
    cwd: WORKSPACE_ROOT,
    env: { PATH: process.env.PATH ?? '', REDIS_URL: testRedis.url, REDIS_KEY_PREFIX: testRedis.keyPrefix, EVENTS_STREAM: stream },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exit = once(child, 'exit') as Promise<[number | null]>;
  return { child, stdout: () => stdout, stderr: () => stderr, exit: async () => (await exit)[0] };
}

/** Through `npm run`, as people run it (the command the README documents). */
async function npmTail(npmFlags: string[], stream: string, args: string[]) {
  const child = spawn('npm', ['run', ...npmFlags, 'events:tail', '--', ...args], {
    cwd: WORKSPACE_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      REDIS_URL: testRedis.url,
      REDIS_KEY_PREFIX: testRedis.keyPrefix,
      EVENTS_STREAM: stream,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

async function groupsOf(stream: string): Promise<unknown[]> {
  return (await testRedis.raw.xinfo('GROUPS', `${testRedis.keyPrefix}${stream}`)) as unknown[];
}

describe('npm run events:tail', () => {
  it('with npm run -s and --json, writes nothing but JSON lines on stdout (`| jq` works)', async () => {
    const stream = `tail-${randomUUID().slice(0, 8)}`;
    const events = [registeredEvent(), registeredEvent()];
    await appendToStream(redis, { stream, maxLength: 1000 }, events);
    const run = await npmTail(['-s'], stream, ['--json', '--from-beginning', '--count', '2']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(2);
    expect(lines.map((line) => JSON.parse(line).event_id)).toEqual(events.map((event) => event.eventId));
    expect(run.stderr).toBe('');
  }, 60_000);

  it('without -s, says on stderr that npm put its banner on stdout and how to avoid it', async () => {
    const stream = `tail-${randomUUID().slice(0, 8)}`;
    await appendToStream(redis, { stream, maxLength: 1000 }, [registeredEvent()]);
    const run = await npmTail([], stream, ['--json', '--from-beginning', '--count', '1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\n> .* events:tail\n/);
    expect(run.stderr).toContain('for pure JSON use `npm run -s events:tail -- --json`');
  }, 60_000);

  it('prints the stream from the beginning as JSON lines and removes its throw-away group', async () => {
    const stream = `tail-${randomUUID().slice(0, 8)}`;
    const events = [registeredEvent(), registeredEvent(), registeredEvent()];
    const { streamIds } = await appendToStream(redis, { stream, maxLength: 1000 }, events);
    const run = tail(stream, ['--json', '--from-beginning', '--count', '3']);
    expect(await run.exit()).toBe(0);
    const lines = run
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual(
      events.map((event, index) => ({
        stream_id: streamIds[index],
        event_id: event.eventId,
        event_type: 'user.registered',
        user_id: event.userId,
        timestamp: event.occurredAt.toISOString(),
        payload: event.payload,
        metadata: event.metadata,
      })),
    );
    expect(await groupsOf(stream)).toEqual([]);
  }, 60_000);

  it('prints only new events, one readable line each, until interrupted', async () => {
    const stream = `tail-${randomUUID().slice(0, 8)}`;
    await appendToStream(redis, { stream, maxLength: 1000 }, [registeredEvent()]);
    const run = tail(stream, []);
    await waitFor(() => run.stderr().includes('tailing'), 'the tail to subscribe', 30_000);
    const fresh = registeredEvent();
    await appendToStream(redis, { stream, maxLength: 1000 }, [fresh]);
    await waitFor(() => run.stdout().includes(fresh.eventId), 'the new event to be printed');
    expect(await groupsOf(stream)).toHaveLength(1);

    run.child.kill('SIGINT');
    expect(await run.exit()).toBe(0);
    const lines = run.stdout().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^${fresh.occurredAt.toISOString()}  user\\.registered +user=${fresh.userId}  email=\\S+  first_name=Ada  last_name=Lovelace  role=user  \\[event_id=${fresh.eventId} `,
      ),
    );
    expect(await groupsOf(stream)).toEqual([]);
  }, 60_000);

  it('explains its options and refuses unknown ones', async () => {
    const run = tail('unused', ['--bogus']);
    expect(await run.exit()).toBe(2);
    expect(run.stderr()).toMatch(/usage: npm run events:tail/);
  }, 30_000);
});
