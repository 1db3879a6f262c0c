import type { AdminUserView, KycStatus } from '../api/types';

export function KycBadge({ status }: { status: KycStatus }) {
  return <span class={`badge kyc-${status}`}>{status}</span>;
}

/** Deleted, locked, frozen or active: what support needs to see first about an account. */
export function AccountState({ user }: { user: AdminUserView }) {
  const states: Array<[string, string]> = [];
  if (user.deleted_at) states.push(['deleted', 'Deleted']);
  if (user.frozen_at) states.push(['frozen', 'Frozen']);
  if (user.locked_until) states.push(['locked', 'Sign-in locked']);
  if (states.length === 0) states.push(['active', 'Active']);
  return (
    <span class="states">
      {states.map(([key, label]) => (
        <span key={key} class={`badge state-${key}`}>
          {label}
        </span>
      ))}
    </span>
  );
}
