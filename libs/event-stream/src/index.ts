export * from './event-line';
export * from './redis-keys';
export * from './stream-consumer';
export * from './stream-entry';
export * from './stream-publisher';
