export * from './app-error';
export * from './error-catalog';
export * from './http-mapping';
