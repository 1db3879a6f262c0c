export * from './entry-points';
export * from './fake-otlp-collector';
export * from './private-pgbouncer';
export * from './private-servers';
export * from './test-certificates';
export * from './test-database';
export * from './test-infrastructure';
export * from './test-redis';
