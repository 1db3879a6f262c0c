import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../api/context';
import type { KycStatus, Role, UserListQuery } from '../api/types';
import { AccountState, KycBadge } from '../components/badges';
import { ErrorMessage } from '../components/error-message';
import { Link } from '../components/link';
import { Pager } from '../components/pager';
import { ScreenTitle } from '../components/screen-title';
import { navigate } from '../lib/navigation';
import { queryString, readParams } from '../lib/query-string';
import { href } from '../lib/routes';
import { formatTime } from '../lib/time';
import { useResource } from '../lib/use-resource';

const PAGE_SIZE = 20;
const FILTERS = ['query', 'role', 'kyc_status', 'include_deleted', 'sort', 'offset'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

/** The filters live in the address (`/console/users?query=…&role=…`): links, Back and reloads keep them. */
export function Users({ search }: { search: string }) {
  const api = useApi();
  const applied = readParams(search, FILTERS);
  const [draft, setDraft] = useState<Filters>(applied);
  useEffect(() => setDraft(readParams(search, FILTERS)), [search]);

  const offset = Number(applied.offset) || 0;
  const query: UserListQuery = {
    ...(applied.query ? { query: applied.query } : {}),
    ...(applied.role ? { role: applied.role as Role } : {}),
    ...(applied.kyc_status ? { kyc_status: applied.kyc_status as KycStatus } : {}),
    ...(applied.include_deleted === 'true' ? { include_deleted: 'true' as const } : {}),
    ...(applied.sort === 'created_at' ? { sort: 'created_at' as const } : {}),
    limit: String(PAGE_SIZE),
    offset: String(offset),
  };
  const users = useResource(() => api.listUsers(query), queryString(query));
  const hrefWith = (changes: Partial<Filters>) => href.users(queryString({ ...applied, ...changes }));
  const set = (name: keyof Filters) => (event: { currentTarget: { value: string } }) =>
    setDraft((previous) => ({ ...previous, [name]: event.currentTarget.value }));

  return (
    <section>
      <ScreenTitle>Users</ScreenTitle>
      <form
        class="filters"
        role="search"
        aria-label="Search users"
        onSubmit={(event) => {
          event.preventDefault();
          navigate(href.users(queryString({ ...draft, query: draft.query.trim(), offset: '' })));
        }}
      >
        <div class="field grow">
          <label for="users-query">Email or name</label>
          <input id="users-query" type="search" maxLength={254} value={draft.query} onInput={set('query')} />
        </div>
        <div class="field">
          <label for="users-role">Role</label>
          <select id="users-role" value={draft.role} onChange={set('role')}>
            <option value="">Any</option>
            <option value="user">user</option>
            <option value="admin">admin</option>
          </select>
        </div>
        <div class="field">
          <label for="users-kyc">KYC status</label>
          <select id="users-kyc" value={draft.kyc_status} onChange={set('kyc_status')}>
            <option value="">Any</option>
            <option value="pending">pending</option>
            <option value="verified">verified</option>
            <option value="rejected">rejected</option>
          </select>
        </div>
        <div class="field">
          <label for="users-sort">Order</label>
          <select id="users-sort" value={draft.sort} onChange={set('sort')}>
            <option value="">Newest first</option>
            <option value="created_at">Oldest first</option>
          </select>
        </div>
        <div class="field check">
          <input
            id="users-deleted"
            type="checkbox"
            checked={draft.include_deleted === 'true'}
            onChange={(event) => setDraft((previous) => ({ ...previous, include_deleted: event.currentTarget.checked ? 'true' : '' }))}
          />
          <label for="users-deleted">Include deleted</label>
        </div>
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      <ErrorMessage error={users.error} />
      <p class="visually-hidden" role="status">
        {users.loading ? 'Loading users…' : users.data ? `${users.data.total} users found.` : ''}
      </p>
      {users.data && (
        <>
          <table class="list users" aria-busy={users.loading}>
            <caption class="visually-hidden">Users matching the search</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">KYC</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((user) => (
                <tr key={user.id}>
                  <td data-label="Email">
                    <Link href={href.user(user.id)}>{user.email}</Link>
                  </td>
                  <td data-label="Name">
                    {user.first_name} {user.last_name}
                  </td>
                  <td data-label="Role">{user.role}</td>
                  <td data-label="KYC">
                    <KycBadge status={user.kyc_status} />
                  </td>
                  <td data-label="State">
                    <AccountState user={user} />
                  </td>
                  <td data-label="Created" class="time">
                    {formatTime(user.created_at)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {users.data.users.length === 0 && <p class="empty">No user matches these filters.</p>}
          <Pager
            label="Pages of users"
            offset={offset}
            limit={PAGE_SIZE}
            shown={users.data.users.length}
            total={users.data.total}
            hrefForOffset={(next) => hrefWith({ offset: next === 0 ? '' : String(next) })}
          />
        </>
      )}
    </section>
  );
}
