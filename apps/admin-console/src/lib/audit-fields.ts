import type { AuditEntry } from '../api/types';

type JsonObject = Record<string, unknown> | null;

/** A string field of an audit row's state snapshot (`previous_state.kyc_status`), if it is one. */
export function stateValue(state: JsonObject, key: string): string | undefined {
  const value = state?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** The reason an administrator gave for a KYC decision, kept in the audit row's metadata. */
export function reasonOf(entry: Pick<AuditEntry, 'metadata'>): string | undefined {
  return stateValue(entry.metadata, 'reason');
}
