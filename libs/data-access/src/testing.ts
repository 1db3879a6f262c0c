/**
 * `@pandora/data-access/testing`: what tests use to read and seed rows, typed by the same table
 * definitions as the repositories. Never imported by the apps.
 */
export * from './lib/sql/table-rows';
