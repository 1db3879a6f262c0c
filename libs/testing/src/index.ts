export * from './fake-otlp-collector';
export * from './private-servers';
export * from './test-certificates';
export * from './test-database';
export * from './test-infrastructure';
export * from './test-redis';
export * from './test-prisma-client';
export * from './rfc6238';
