// In-memory fakes of the ports for the use cases' unit tests. Not exported from the lib's
// index.ts, so no app bundle ever contains them; ESLint lets only test files import this folder.
export * from './error-codes';
export * from './fake-adapters';
export * from './fake-ports';
export * from './in-memory-database';
