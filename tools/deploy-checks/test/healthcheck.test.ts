import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { REPOSITORY_ROOT } from '../src/repository';

/** The images' HEALTHCHECK script against a real HTTP server: only a 2xx in time is healthy. */
const SCRIPT = path.join(REPOSITORY_ROOT, 'deployments/docker/healthcheck.mjs');

function check(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

let server: http.Server;
let port: number;
beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url === '/health') response.writeHead(200).end('{"status":"ok"}');
    else if (request.url === '/ready') response.writeHead(503).end('{"status":"not ready"}');
    // /slow never answers
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the image healthcheck', () => {
  it('passes on a 2xx from the port named by the app variable', async () => {
    expect(await check(['METRICS_PORT', '1', '/health'], { METRICS_PORT: String(port) })).toEqual({ code: 0, stderr: '' });
  });

  it('falls back to the default port and /health when the variable is unset', async () => {
    expect(await check(['SERVER_PORT', String(port)])).toEqual({ code: 0, stderr: '' });
  });

  it('fails on a non-2xx answer and says which', async () => {
    expect(await check(['SERVER_PORT', String(port), '/ready'])).toEqual({ code: 1, stderr: expect.stringContaining('answered 503') });
  });

  it('fails when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const unused = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await check(['SERVER_PORT', String(unused)])).toEqual({ code: 1, stderr: expect.stringContaining(`on port ${unused}`) });
  });

  it('fails when the answer does not come in time', async () => {
    const started = Date.now();
    expect(await check(['SERVER_PORT', String(port), '/slow'], { HEALTHCHECK_TIMEOUT_MS: '300' })).toEqual({
      code: 1,
      stderr: expect.stringMatching(/\/slow on port \d+: .*(timeout|aborted)/i),
    });
    console.log(`a hanging endpoint failed the check after ${Date.now() - started} ms (timeout 300 ms)`);
  });

  it('refuses to run without its arguments', async () => {
    expect(await check([])).toEqual({ code: 2, stderr: expect.stringContaining('usage:') });
  });
});
