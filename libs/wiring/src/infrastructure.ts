/**
 * The infrastructure helpers a composition root needs besides the ports — readiness checks,
 * the translation of a lost database or Redis into SERVICE_UNAVAILABLE, the Redis client —
 * handed on from data-access so that apps never import data-access themselves (ESLint forbids it
 * in user-api and user-grpc: a route reaching a repository would bypass the use cases).
 */
export {
  checkRedis,
  closeRedisClient,
  createRedisClient,
  translateInfrastructureError,
  type CheckStatus,
  type RedisClient,
  type RedisOptions,
} from '@pandora/data-access';
