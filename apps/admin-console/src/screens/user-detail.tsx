import { useState } from 'preact/hooks';
import { useApi, useSignedInAdmin } from '../api/context';
import type { AdminUserView, AuditEntry, KycStatus, Role } from '../api/types';
import { AccountState, KycBadge } from '../components/badges';
import { ConfirmDialog, type Confirmation } from '../components/confirm-dialog';
import { ErrorMessage } from '../components/error-message';
import { Link } from '../components/link';
import { ScreenTitle } from '../components/screen-title';
import { reasonOf, stateValue } from '../lib/audit-fields';
import { queryString } from '../lib/query-string';
import { href } from '../lib/routes';
import { formatTime } from '../lib/time';
import { useResource } from '../lib/use-resource';

/** The audit trail's event type for KYC changes (docs/events.md: the audit row and the event share it). */
export const KYC_EVENT_TYPE = 'user.kyc.updated';

const KYC_ACTIONS: Record<KycStatus, string> = { verified: 'Mark verified', rejected: 'Reject', pending: 'Back to pending' };

/** One account: profile, KYC with its history, sessions, sign-in lock, MFA and freeze (when served), role, deletion. */
export function UserDetail({ id }: { id: string }) {
  const api = useApi();
  const me = useSignedInAdmin();
  const user = useResource(() => api.getUser(id), `user:${id}`);
  const sessions = useResource(() => api.listSessions(id), `sessions:${id}`);
  const kycHistory = useResource(() => api.auditLog({ user_id: id, event_type: KYC_EVENT_TYPE, limit: '50' }), `kyc:${id}`);
  const activity = useResource(() => api.auditLog({ user_id: id, limit: '10' }), `activity:${id}`);

  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);

  const refresh = () => {
    user.reload();
    sessions.reload();
    kycHistory.reload();
    activity.reload();
  };
  /** Runs one write, then reloads everything it may have changed; true when the API accepted it. */
  const run = async (action: () => Promise<unknown>, done: string): Promise<boolean> => {
    setBusy(true);
    setActionError(null);
    setStatus('');
    try {
      await action();
      setStatus(done);
      return true;
    } catch (error) {
      setActionError(error);
      return false;
    } finally {
      setBusy(false);
      refresh();
    }
  };
  const confirmFirst = (confirmationToAsk: Confirmation) => setConfirmation(confirmationToAsk);

  const account = user.data;
  const isMe = account?.id === me.id;
  return (
    <section class="user-detail">
      <p class="breadcrumb">
        <Link href={href.users()}>Users</Link> /
      </p>
      <ScreenTitle>{account ? account.email : 'User'}</ScreenTitle>
      <ErrorMessage error={user.error} />
      <p class="status-line" role="status">
        {status}
      </p>
      <ErrorMessage error={actionError} />
      {confirmation && (
        <ConfirmDialog
          confirmation={confirmation}
          onClose={(confirmed) => {
            const chosen = confirmation;
            setConfirmation(null);
            if (confirmed) void run(chosen.action, chosen.done);
          }}
        />
      )}
      {account && (
        <div class="panels">
          <Profile user={account} />
          <section class="panel" aria-labelledby="security-heading">
            <h2 id="security-heading">Sign-in security</h2>
            <dl class="facts">
              <dt>Sign-in lock</dt>
              <dd>{account.locked_until ? `Locked until ${formatTime(account.locked_until)}` : 'Not locked'}</dd>
              <dt>Multi-factor authentication</dt>
              <dd>{account.mfa_enabled ? 'On' : 'Off'}</dd>
              <dt>Frozen by its owner</dt>
              <dd>{account.frozen_at ? `Since ${formatTime(account.frozen_at)}` : 'No'}</dd>
            </dl>
            <div class="actions">
              {account.locked_until && (
                <button type="button" disabled={busy} onClick={() => void run(() => api.unlock(account.id), 'Sign-in unlocked.')}>
                  Unlock sign-in
                </button>
              )}
              {account.mfa_enabled && (
                <button
                  type="button"
                  class="danger"
                  disabled={busy}
                  onClick={() =>
                    confirmFirst({
                      title: 'Reset multi-factor authentication?',
                      body: (
                        <p>
                          Removes {account.email}'s authenticator and recovery codes and signs them out everywhere. Do this only after
                          verifying who is asking.
                        </p>
                      ),
                      confirmLabel: 'Reset MFA',
                      done: 'Multi-factor authentication was reset.',
                      action: () => api.resetMfa(account.id),
                    })
                  }
                >
                  Reset MFA
                </button>
              )}
              {account.frozen_at && (
                <button
                  type="button"
                  class="danger"
                  disabled={busy}
                  onClick={() =>
                    confirmFirst({
                      title: 'Unfreeze this account?',
                      body: (
                        <p>
                          {account.email} froze the account from a security mail. Lift the freeze only once they have confirmed who they
                          are; sign-ins work again at once.
                        </p>
                      ),
                      confirmLabel: 'Unfreeze',
                      done: 'The account is no longer frozen.',
                      action: () => api.unfreeze(account.id),
                    })
                  }
                >
                  Unfreeze
                </button>
              )}
            </div>
          </section>
          <KycPanel
            user={account}
            busy={busy}
            history={kycHistory.data?.items}
            historyError={kycHistory.error}
            onChange={(kyc_status, reason) =>
              run(() => api.changeKyc(account.id, { kyc_status, ...(reason ? { reason } : {}) }), `KYC status is now ${kyc_status}.`)
            }
          />
          <section class="panel wide" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">Sessions</h2>
            <ErrorMessage error={sessions.error} />
            {sessions.data && sessions.data.length === 0 && <p>No active session.</p>}
            {sessions.data && sessions.data.length > 0 && (
              <>
                <table class="list sessions">
                  <caption class="visually-hidden">Active sessions</caption>
                  <thead>
                    <tr>
                      <th scope="col">Started</th>
                      <th scope="col">Last used</th>
                      <th scope="col">IP address</th>
                      <th scope="col">Client</th>
                    </tr>
                  </thead>
                  <tbody>
                    {sessions.data.map((session) => (
                      <tr key={session.id}>
                        <td data-label="Started" class="time">
                          {formatTime(session.created_at)}
                        </td>
                        <td data-label="Last used" class="time">
                          {formatTime(session.last_used_at)}
                        </td>
                        <td data-label="IP address">{session.ip_address ?? '—'}</td>
                        <td data-label="Client" class="wrap">
                          {session.user_agent ?? '—'}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <button
                  type="button"
                  class="danger"
                  disabled={busy}
                  onClick={() =>
                    confirmFirst({
                      title: 'Revoke every session?',
                      body: (
                        <p>
                          {account.email} is signed out everywhere ({sessions.data?.length} sessions); their access tokens stop working at
                          once.
                        </p>
                      ),
                      confirmLabel: 'Revoke all sessions',
                      done: 'Every session was revoked.',
                      action: () => api.revokeSessions(account.id),
                    })
                  }
                >
                  Revoke all sessions
                </button>
              </>
            )}
          </section>
          <RolePanel
            user={account}
            isMe={isMe}
            busy={busy}
            onChange={(role) =>
              confirmFirst({
                title: `Make ${account.email} ${role === 'admin' ? 'an administrator' : 'a regular user'}?`,
                body: <p>Their sessions are revoked; they sign in again with the new role.</p>,
                confirmLabel: 'Change role',
                done: `The role is now ${role}.`,
                action: () => api.changeRole(account.id, role),
              })
            }
          />
          <section class="panel" aria-labelledby="activity-heading">
            <h2 id="activity-heading">Recent activity</h2>
            <ErrorMessage error={activity.error} />
            {activity.data && activity.data.items.length === 0 && <p>Nothing recorded.</p>}
            {activity.data && activity.data.items.length > 0 && (
              <ul class="activity">
                {activity.data.items.map((entry) => (
                  <li key={entry.id}>
                    <time dateTime={entry.created_at}>{formatTime(entry.created_at)}</time> <code>{entry.event_type}</code>
                    {entry.status === 'failure' ? ' (failed)' : ''} by {entry.actor_identifier ?? entry.actor_type}
                  </li>
                ))}
              </ul>
            )}
            <p>
              <Link href={href.audit(queryString({ user_id: account.id }))}>Full audit trail of this user</Link>
            </p>
          </section>
          {!account.deleted_at && (
            <section class="panel danger-zone" aria-labelledby="delete-heading">
              <h2 id="delete-heading">Delete account</h2>
              <p>A soft delete: the account can no longer sign in, every session ends; the audit trail keeps its history.</p>
              {isMe ? (
                <p>You cannot delete your own account.</p>
              ) : (
                <button
                  type="button"
                  class="danger"
                  disabled={busy}
                  onClick={() =>
                    confirmFirst({
                      title: 'Delete this account?',
                      body: (
                        <p>
                          {account.email} ({account.first_name} {account.last_name}) is deleted and signed out everywhere. This cannot be
                          undone from the console.
                        </p>
                      ),
                      confirmLabel: 'Delete account',
                      done: 'The account was deleted.',
                      action: () => api.deleteUser(account.id),
                    })
                  }
                >
                  Delete account
                </button>
              )}
            </section>
          )}
        </div>
      )}
    </section>
  );
}

function Profile({ user }: { user: AdminUserView }) {
  return (
    <section class="panel" aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      <dl class="facts">
        <dt>Name</dt>
        <dd>
          {user.first_name} {user.last_name}
        </dd>
        <dt>Email</dt>
        <dd>{user.email}</dd>
        <dt>Address proved</dt>
        <dd>{user.email_verified ? 'Yes: the owner opened a link sent to it' : 'Not yet: no link sent to it has been opened'}</dd>
        <dt>User id</dt>
        <dd>
          <code>{user.id}</code>
        </dd>
        <dt>State</dt>
        <dd>
          <AccountState user={user} />
        </dd>
        <dt>Role</dt>
        <dd>{user.role}</dd>
        <dt>Created</dt>
        <dd>{formatTime(user.created_at)}</dd>
        <dt>Updated</dt>
        <dd>{formatTime(user.updated_at)}</dd>
        {user.deleted_at && (
          <>
            <dt>Deleted</dt>
            <dd>{formatTime(user.deleted_at)}</dd>
          </>
        )}
      </dl>
    </section>
  );
}

interface KycPanelProps {
  user: AdminUserView;
  busy: boolean;
  history: AuditEntry[] | undefined;
  historyError: unknown;
  onChange: (status: KycStatus, reason: string) => Promise<boolean>;
}

/**
 * Every other status is offered; the API decides which moves are allowed and its refusal is shown
 * as it words it, so the console never carries a second copy of the transition rules.
 */
function KycPanel({ user, busy, history, historyError, onChange }: KycPanelProps) {
  const [reason, setReason] = useState('');
  const [missingReason, setMissingReason] = useState(false);
  const targets = (Object.keys(KYC_ACTIONS) as KycStatus[]).filter((status) => status !== user.kyc_status);
  const decide = (status: KycStatus) => {
    if (status === 'rejected' && reason.trim() === '') {
      setMissingReason(true);
      return;
    }
    setMissingReason(false);
    void onChange(status, reason.trim()).then((accepted) => accepted && setReason(''));
  };
  return (
    <section class="panel wide" aria-labelledby="kyc-heading">
      <h2 id="kyc-heading">KYC</h2>
      <p>
        Current status: <KycBadge status={user.kyc_status} />
      </p>
      {!user.deleted_at && (
        // Buttons, not submit buttons: Enter in the reason field must not decide anything.
        <form class="kyc-change" onSubmit={(event) => event.preventDefault()}>
          <label for="kyc-reason">Reason (kept in the audit trail; required to reject)</label>
          <input
            id="kyc-reason"
            type="text"
            maxLength={500}
            value={reason}
            aria-invalid={missingReason}
            aria-describedby={missingReason ? 'kyc-reason-missing' : undefined}
            onInput={(event) => setReason(event.currentTarget.value)}
          />
          {missingReason && (
            <p id="kyc-reason-missing" class="field-error">
              Give a reason for a rejection.
            </p>
          )}
          <div class="actions">
            {targets.map((status) => (
              <button
                key={status}
                type="button"
                disabled={busy}
                class={status === 'rejected' ? 'danger' : ''}
                onClick={() => decide(status)}
              >
                {KYC_ACTIONS[status]}
              </button>
            ))}
          </div>
        </form>
      )}
      <h3>History</h3>
      <ErrorMessage error={historyError} />
      {history && history.length === 0 && <p>No KYC decision recorded yet.</p>}
      {history && history.length > 0 && (
        <table class="list kyc-history">
          <caption class="visually-hidden">KYC changes, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Change</th>
              <th scope="col">By</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {history.map((entry) => (
              <tr key={entry.id}>
                <td data-label="When" class="time">
                  {formatTime(entry.created_at)}
                </td>
                <td data-label="Change">
                  {stateValue(entry.previous_state, 'kyc_status') ?? '?'} → {stateValue(entry.new_state, 'kyc_status') ?? '?'}
                </td>
                <td data-label="By">{entry.actor_identifier ?? entry.actor_type}</td>
                <td data-label="Reason" class="wrap">
                  {reasonOf(entry) ?? '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function RolePanel({ user, isMe, busy, onChange }: { user: AdminUserView; isMe: boolean; busy: boolean; onChange: (role: Role) => void }) {
  const other: Role = user.role === 'admin' ? 'user' : 'admin';
  return (
    <section class="panel" aria-labelledby="role-heading">
      <h2 id="role-heading">Role</h2>
      <p>
        Current role: <strong>{user.role}</strong>
      </p>
      {isMe ? (
        <p>You cannot change your own role.</p>
      ) : (
        !user.deleted_at && (
          <button type="button" disabled={busy} onClick={() => onChange(other)}>
            {other === 'admin' ? 'Make administrator' : 'Make regular user'}
          </button>
        )
      )}
    </section>
  );
}
