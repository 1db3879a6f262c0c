export * from './argon2-password-hasher';
export * from './jwt-access-token.service';
export * from './key-ring';
export * from './opaque-refresh-token.service';
export * from './one-time-secrets';
export * from './secret-box';
export * from './totp-verifier';
export * from './argon2-helper-pool';
