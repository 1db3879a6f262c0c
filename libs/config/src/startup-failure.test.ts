import { ConfigError } from './config-error';
import { bindPort, PortInUseError, startupFailureMessage } from './startup-failure';

describe('start-up failures', () => {
  it('turns the error of a port another process holds into one line naming the port and its variable', async () => {
    // What node:net's listen() rejects with (the processes' tests bind real sockets).
    const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:9090'), { code: 'EADDRINUSE' });
    const failure = await bindPort('GRPC_PORT', 9090, () => Promise.reject(inUse)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PortInUseError);
    expect(startupFailureMessage('user-grpc', failure)).toBe(
      'user-grpc: port 9090 is already in use (GRPC_PORT); stop the other process or set GRPC_PORT',
    );
  });

  it('recognises the way grpc-js reports it, which has no code', async () => {
    const grpcJs = new Error('No address added out of total 1 resolved errors: [listen EADDRINUSE: address already in use 0.0.0.0:9090]');
    await expect(bindPort('GRPC_PORT', 9090, () => Promise.reject(grpcJs))).rejects.toEqual(new PortInUseError(9090, 'GRPC_PORT'));
  });

  it('passes other failures through, keeping their stack; configuration errors stay as they are', async () => {
    const other = new Error('EACCES: permission denied');
    await expect(bindPort('SERVER_PORT', 80, () => Promise.reject(other))).rejects.toBe(other);
    expect(startupFailureMessage('user-api', other)).toContain('user-api failed to start: Error: EACCES');
    expect(startupFailureMessage('user-api', other)).toContain('startup-failure.test.ts');
    expect(startupFailureMessage('user-api', new ConfigError(['SERVER_PORT: bad'], 'user-api'))).toBe(
      'Invalid configuration for user-api:\n  - SERVER_PORT: bad',
    );
  });
});
