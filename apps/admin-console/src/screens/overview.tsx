import { useApi } from '../api/context';
import type { KycStatus } from '../api/types';
import { ErrorMessage } from '../components/error-message';
import { Link } from '../components/link';
import { ScreenTitle } from '../components/screen-title';
import { href } from '../lib/routes';
import { useResource } from '../lib/use-resource';

const STATUS_LABELS: Record<KycStatus, string> = { pending: 'Pending review', verified: 'Verified', rejected: 'Rejected' };

/** The headline numbers (GET /admin/stats) and the way into the day's work. */
export function Overview() {
  const api = useApi();
  const stats = useResource(() => api.statistics(), 'stats');
  const data = stats.data;
  return (
    <section>
      <ScreenTitle>Overview</ScreenTitle>
      <ErrorMessage error={stats.error} />
      {data ? (
        <>
          <dl class="stats" aria-label="Statistics">
            <div>
              <dt>Users</dt>
              <dd data-stat="total_users">{data.total_users}</dd>
            </div>
            <div>
              <dt>Active sessions</dt>
              <dd data-stat="active_sessions">{data.active_sessions}</dd>
            </div>
            <div>
              <dt>Waiting for KYC review</dt>
              <dd data-stat="pending_reviews">
                <Link href={href.kyc()}>{data.users_by_kyc_status.pending}</Link>
              </dd>
            </div>
          </dl>
          <table class="kyc-distribution">
            <caption>Users by KYC status</caption>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Users</th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {(Object.keys(STATUS_LABELS) as KycStatus[]).map((status) => {
                const count = data.users_by_kyc_status[status];
                return (
                  <tr key={status}>
                    <th scope="row" data-label="Status">
                      {STATUS_LABELS[status]}
                    </th>
                    <td data-label="Users" data-kyc-count={status}>
                      {count}
                    </td>
                    <td data-label="Share">
                      <meter
                        min={0}
                        max={Math.max(1, data.total_users)}
                        value={count}
                        aria-label={`${STATUS_LABELS[status]}: share of users`}
                      >
                        {count} of {data.total_users}
                      </meter>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p>
            <button type="button" onClick={stats.reload} disabled={stats.loading}>
              Refresh
            </button>
          </p>
        </>
      ) : (
        !stats.error && <p aria-busy="true">Loading…</p>
      )}
    </section>
  );
}
