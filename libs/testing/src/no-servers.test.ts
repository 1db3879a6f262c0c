import childProcess from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import Redis from 'ioredis';
import pg from 'pg';
import { forbidServers, ServerUseInUnitTest } from './no-servers';

/** The unit tier's guard (installed for every src test by jest.unit.config.js), tested on its own. */
describe('the unit tier guard', () => {
  let guard: ReturnType<typeof forbidServers>;
  beforeEach(() => {
    guard = forbidServers();
  });
  afterEach(() => guard.restore());

  it('refuses a connection to PostgreSQL, naming the address and where such a test belongs', () => {
    expect(() => net.connect(5432, '127.0.0.1')).toThrow(ServerUseInUnitTest);
    expect(guard.takeAttempts().map((attempt) => attempt.message)).toEqual([
      expect.stringMatching(/tried to connect to 127\.0\.0\.1:5432 \(PostgreSQL\)\..*move this test to the project's test\/ folder/),
    ]);
  });

  it('records the attempt when a driver catches the refusal, so the test still fails', async () => {
    const client = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
    await expect(client.connect()).rejects.toThrow(ServerUseInUnitTest);
    const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    redis.on('error', () => undefined);
    await expect(redis.connect()).rejects.toThrow();
    redis.disconnect();
    expect(guard.takeAttempts().map((attempt) => attempt.message)).toEqual([
      expect.stringContaining('connect to 127.0.0.1:5432 (PostgreSQL)'),
      expect.stringContaining('connect to 127.0.0.1:6379 (Redis)'),
    ]);
  });

  it('refuses to listen and to start a process', () => {
    expect(() => http.createServer().listen(0, '127.0.0.1')).toThrow(/tried to listen on 127\.0\.0\.1:0/);
    expect(() => childProcess.spawn('redis-server')).toThrow(/tried to start a process \(child_process\.spawn redis-server\)/);
    expect(() => childProcess.execFileSync('psql')).toThrow(/child_process\.execFileSync psql/);
    expect(guard.takeAttempts()).toHaveLength(3);
  });

  it('gives the previous functions back when restored', () => {
    guard.restore();
    const before = { connect: net.Socket.prototype.connect, listen: net.Server.prototype.listen, spawn: childProcess.spawn };
    const again = forbidServers();
    expect(net.Socket.prototype.connect).not.toBe(before.connect);
    again.restore();
    expect({ connect: net.Socket.prototype.connect, listen: net.Server.prototype.listen, spawn: childProcess.spawn }).toEqual(before);
    guard = forbidServers();
  });
});
