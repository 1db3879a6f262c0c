export * from './private-redis';
export * from './test-database';
export * from './test-infrastructure';
export * from './test-redis';
