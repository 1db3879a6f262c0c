import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { WORKSPACE_ROOT } from '@pandora/testing';
import { seedUser, startTestUserGrpc, WALLET_TOKEN, type TestUserGrpc } from './support/test-user-grpc';

/** `npm run -s grpc:call`, the README's gRPC client for people, against a real user-grpc. */
let t: TestUserGrpc;
beforeAll(async () => {
  t = await startTestUserGrpc();
});
afterAll(() => t.stop());

async function grpcCall(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('npm', ['run', '-s', 'grpc:call', '--', ...args], {
    cwd: WORKSPACE_ROOT,
    // Only what the command needs: no GRPC_AUTH_TOKENS or USER_GRPC_TOKEN of the test runner.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('npm run grpc:call', () => {
  it('calls GetUserByEmail and prints the user as JSON, nothing else on stdout', async () => {
    const user = await seedUser(t.rows, { firstName: 'Grace' });
    const result = await grpcCall(
      'GetUserByEmail',
      JSON.stringify({ email: user.email.toUpperCase() }),
      '--address',
      t.address,
      '--token',
      WALLET_TOKEN,
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({
      user: expect.objectContaining({
        id: user.id,
        email: user.email,
        firstName: 'Grace',
        kycStatus: 'pending',
        createdAt: expect.any(String),
      }),
    });
  }, 60_000);

  it('takes snake_case request fields, as in the .proto file (UpdateKYCStatus, then ValidateUser)', async () => {
    const user = await seedUser(t.rows);
    const update = await grpcCall(
      'UpdateKYCStatus',
      JSON.stringify({ user_id: user.id, kyc_status: 'verified', updated_by: 'ops@example.com' }),
      '--address',
      t.address,
      '--token',
      WALLET_TOKEN,
    );
    expect(update.code).toBe(0);
    expect(JSON.parse(update.stdout).user.kycStatus).toBe('verified');
    const validate = await grpcCall('ValidateUser', JSON.stringify({ user_id: user.id }), '--address', t.address, '--token', WALLET_TOKEN);
    expect(JSON.parse(validate.stdout)).toEqual({
      isValid: true,
      isActive: true,
      kycStatus: 'verified',
      emailVerified: false,
      mfaEnabled: false,
    });
    const unknown = await grpcCall(
      'ValidateUser',
      JSON.stringify({ userId: randomUUID() }),
      '--address',
      t.address,
      '--token',
      WALLET_TOKEN,
    );
    // Defaults are shown, not left out as proto3 JSON would.
    expect(JSON.parse(unknown.stdout)).toEqual({ isValid: false, isActive: false, kycStatus: '', emailVerified: false, mfaEnabled: false });
  }, 60_000);

  it('reports a failed call as its status and the service error code on stderr, exit 1', async () => {
    const invalid = await grpcCall('GetUser', '{"user_id":"not-a-uuid"}', '--address', t.address, '--token', WALLET_TOKEN);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toBe('INVALID_ARGUMENT: The request is invalid. user_id: must be a UUID [error-code INVALID_INPUT]\n');
    const anonymous = await grpcCall('ListUsers', '{}', '--address', t.address);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/^UNAUTHENTICATED: /);
  }, 60_000);

  it('refuses an unknown method or field with the usage, exit 2, without calling anything', async () => {
    const misspelt = await grpcCall('GetUser', '{"userid":"x"}', '--address', t.address);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain('GetUser: unknown field(s) userid (fields: user_id)');
    const unknown = await grpcCall('DeleteUser', '{}');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown method DeleteUser');
    expect(unknown.stderr).toContain('GetUserByEmail');
  }, 60_000);
});
