import { parseArgs } from 'node:util';

export interface CliOptions {
  dryRun: boolean;
  help: boolean;
}

export const USAGE = `usage: audit-cleanup-worker [--dry-run]

One retention run: deletes audit rows past retention_until, sessions expired or revoked more than
SESSION_RETENTION ago and outbox rows published more than OUTBOX_RETENTION ago, in batches of
CLEANUP_BATCH_SIZE rows. Configuration comes from the environment (see .env.example).

  --dry-run   count what would be deleted, delete nothing
  --help      print this text`;

/** Throws a TypeError naming the bad argument (unknown flag, stray value). */
export function parseCliArgs(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: { 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    strict: true,
    allowPositionals: false,
  });
  return { dryRun: values['dry-run'] === true, help: values.help === true };
}
