export * from './render';
export * from './smtp-sender';
export * from './templates';
