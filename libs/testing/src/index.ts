export * from './private-servers';
export * from './test-database';
export * from './test-infrastructure';
export * from './test-redis';
