export * from './create-ports';
export * from './database';
export * from './infrastructure';
