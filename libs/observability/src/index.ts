export * from './grpc-metrics';
export * from './logger';
export * from './metrics';
export * from './redaction';
export * from './request-context';
export * from './trace-context';
