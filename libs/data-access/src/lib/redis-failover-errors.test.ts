import { ReplyError } from 'ioredis';
import { translateInfrastructureError } from './infrastructure-errors';

/**
 * What a failover or a moving cluster looks like to a command: each must become 503
 * SERVICE_UNAVAILABLE ("try again shortly"), never a 500, while a real command error stays one.
 */
describe('Redis failover errors', () => {
  it.each([
    "READONLY You can't write against a read only replica.",
    'MOVED 3999 127.0.0.1:7002',
    'ASK 3999 127.0.0.1:7002',
    'TRYAGAIN Multiple keys request during rehashing of slot',
    'CLUSTERDOWN The cluster is down',
    'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no',
    'LOADING Redis is loading the dataset in memory',
    'NOREPLICAS Not enough good replicas to write.',
  ])('turns the reply "%s" into SERVICE_UNAVAILABLE', (message) => {
    expect(translateInfrastructureError(new ReplyError(message))?.code).toBe('SERVICE_UNAVAILABLE');
  });

  it.each([
    'Failed to refresh slots cache.',
    'None of startup nodes is available',
    "Cluster isn't ready and enableOfflineQueue options is false",
    'All sentinels are unreachable. Retrying from scratch after 100ms.',
    'Command timed out',
    'Too many Cluster redirections. Last error: Error: MOVED 1 127.0.0.1:7000',
    'Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.',
  ])('turns the client error "%s" into SERVICE_UNAVAILABLE', (message) => {
    expect(translateInfrastructureError(new Error(message))?.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('leaves a real command error alone', () => {
    expect(translateInfrastructureError(new ReplyError('ERR wrong number of arguments for command'))).toBeNull();
    expect(translateInfrastructureError(new ReplyError('NOSCRIPT No matching script'))).toBeNull();
  });
});
