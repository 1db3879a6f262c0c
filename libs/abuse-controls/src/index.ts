export * from './in-memory-login-throttle';
export * from './redis-idempotency-store';
export * from './redis-login-throttle';
export * from './resilient-login-throttle';
export * from './sliding-window-rate-limiter';
