import { useState } from 'preact/hooks';
import { useApi } from '../api/context';
import type { AdminUserView, KycStatus } from '../api/types';
import { ErrorMessage } from '../components/error-message';
import { Link } from '../components/link';
import { Pager } from '../components/pager';
import { ScreenTitle } from '../components/screen-title';
import { queryString, readParams } from '../lib/query-string';
import { href } from '../lib/routes';
import { formatTime } from '../lib/time';
import { useResource } from '../lib/use-resource';

const PAGE_SIZE = 20;

/** Pending users, oldest first (`GET /admin/users?kyc_status=pending&sort=created_at`), decided one by one with a reason. */
export function KycQueue({ search }: { search: string }) {
  const api = useApi();
  const offset = Number(readParams(search, ['offset']).offset) || 0;
  const query = { kyc_status: 'pending' as const, sort: 'created_at' as const, limit: String(PAGE_SIZE), offset: String(offset) };
  const queue = useResource(() => api.listUsers(query), queryString(query));
  const [status, setStatus] = useState('');

  return (
    <section>
      <ScreenTitle>KYC queue</ScreenTitle>
      <p class="lead">Accounts waiting for a KYC decision, the longest waiting first.</p>
      <p class="status-line" role="status">
        {status}
      </p>
      <ErrorMessage error={queue.error} />
      {queue.data && queue.data.users.length === 0 && <p class="empty">Nobody is waiting for a decision.</p>}
      {queue.data && queue.data.users.length > 0 && (
        <>
          <ol class="queue" aria-busy={queue.loading}>
            {queue.data.users.map((user) => (
              <QueueItem
                key={user.id}
                user={user}
                onDecided={(decided, reason) => {
                  setStatus(`${user.email}: ${decided}${reason ? ` (${reason})` : ''}.`);
                  queue.reload();
                }}
              />
            ))}
          </ol>
          <Pager
            label="Pages of the queue"
            offset={offset}
            limit={PAGE_SIZE}
            shown={queue.data.users.length}
            total={queue.data.total}
            hrefForOffset={(next) => href.kyc(queryString({ offset: next === 0 ? '' : String(next) }))}
          />
        </>
      )}
    </section>
  );
}

function QueueItem({ user, onDecided }: { user: AdminUserView; onDecided: (status: KycStatus, reason: string) => void }) {
  const api = useApi();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [missingReason, setMissingReason] = useState(false);
  const [busy, setBusy] = useState(false);
  const reasonId = `reason-${user.id}`;

  const decide = async (status: KycStatus) => {
    const trimmed = reason.trim();
    if (status === 'rejected' && trimmed === '') {
      setMissingReason(true);
      return;
    }
    setMissingReason(false);
    setBusy(true);
    setError(null);
    try {
      await api.changeKyc(user.id, { kyc_status: status, ...(trimmed ? { reason: trimmed } : {}) });
      onDecided(status, trimmed);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li class="queue-item" aria-label={user.email}>
      <div class="who">
        <Link href={href.user(user.id)}>{user.email}</Link>
        <span>
          {user.first_name} {user.last_name}
        </span>
        <span class="meta">Registered {formatTime(user.created_at)}</span>
      </div>
      {/* Buttons, not submit buttons: Enter in the reason field must not decide anything. */}
      <form onSubmit={(event) => event.preventDefault()}>
        <label for={reasonId}>Reason for {user.email}</label>
        <input
          id={reasonId}
          type="text"
          maxLength={500}
          value={reason}
          aria-invalid={missingReason}
          aria-describedby={missingReason ? `${reasonId}-missing` : undefined}
          onInput={(event) => setReason(event.currentTarget.value)}
        />
        {missingReason && (
          <p id={`${reasonId}-missing`} class="field-error">
            Give a reason for a rejection.
          </p>
        )}
        <div class="actions">
          <button type="button" class="primary" disabled={busy} onClick={() => void decide('verified')}>
            Approve
          </button>
          <button type="button" class="danger" disabled={busy} onClick={() => void decide('rejected')}>
            Reject
          </button>
        </div>
        <ErrorMessage error={error} />
      </form>
    </li>
  );
}
