import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../api/context';
import type { AuditEntry, AuditQuery } from '../api/types';
import { ErrorMessage } from '../components/error-message';
import { Link } from '../components/link';
import { ScreenTitle } from '../components/screen-title';
import { navigate } from '../lib/navigation';
import { queryString, readParams } from '../lib/query-string';
import { href } from '../lib/routes';
import { formatTime, isoToUtcInput, utcInputToIso } from '../lib/time';
import { useResource } from '../lib/use-resource';

const FILTERS = ['user_id', 'event_type', 'from', 'to', 'limit', 'cursor'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;
const PAGE_SIZES = ['20', '50', '100'];

/**
 * The audit trail, newest first, filtered by user, event type and time (UTC), one page at a time
 * with the API's cursor. Filters and the cursor live in the address, so the browser's Back returns
 * to the newer page. A row opens to show every recorded field.
 */
export function AuditLog({ search }: { search: string }) {
  const api = useApi();
  const applied = readParams(search, FILTERS);
  const [draft, setDraft] = useState(() => toDraft(applied));
  useEffect(() => setDraft(toDraft(readParams(search, FILTERS))), [search]);
  const [open, setOpen] = useState<string | null>(null);

  const query: AuditQuery = {
    ...(applied.user_id ? { user_id: applied.user_id } : {}),
    ...(applied.event_type ? { event_type: applied.event_type } : {}),
    ...(applied.from ? { from: applied.from } : {}),
    ...(applied.to ? { to: applied.to } : {}),
    ...(applied.cursor ? { cursor: applied.cursor } : {}),
    limit: PAGE_SIZES.includes(applied.limit) ? applied.limit : '50',
  };
  const page = useResource(() => api.auditLog(query), queryString(query));
  const seenTypes = [...new Set(page.data?.items.map((entry) => entry.event_type) ?? [])].sort();
  const set = (name: keyof Filters) => (event: { currentTarget: { value: string } }) =>
    setDraft((previous) => ({ ...previous, [name]: event.currentTarget.value }));

  return (
    <section>
      <ScreenTitle>Audit log</ScreenTitle>
      <form
        class="filters"
        role="search"
        aria-label="Filter the audit log"
        onSubmit={(event) => {
          event.preventDefault();
          navigate(
            href.audit(
              queryString({
                user_id: draft.user_id.trim(),
                event_type: draft.event_type.trim(),
                from: utcInputToIso(draft.from) ?? '',
                to: utcInputToIso(draft.to) ?? '',
                limit: draft.limit === '50' ? '' : draft.limit,
              }),
            ),
          );
        }}
      >
        <div class="field grow">
          <label for="audit-user">User id</label>
          <input id="audit-user" type="text" spellcheck={false} maxLength={36} value={draft.user_id} onInput={set('user_id')} />
        </div>
        <div class="field grow">
          <label for="audit-type">Event type</label>
          <input
            id="audit-type"
            type="text"
            list="audit-types"
            spellcheck={false}
            maxLength={100}
            placeholder="user.kyc.updated"
            value={draft.event_type}
            onInput={set('event_type')}
          />
          <datalist id="audit-types">
            {seenTypes.map((type) => (
              <option key={type} value={type} />
            ))}
          </datalist>
        </div>
        <div class="field">
          <label for="audit-from">From (UTC)</label>
          <input id="audit-from" type="datetime-local" value={draft.from} onInput={set('from')} />
        </div>
        <div class="field">
          <label for="audit-to">To (UTC)</label>
          <input id="audit-to" type="datetime-local" value={draft.to} onInput={set('to')} />
        </div>
        <div class="field">
          <label for="audit-limit">Per page</label>
          <select id="audit-limit" value={draft.limit} onChange={set('limit')}>
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="primary">
          Filter
        </button>
      </form>
      <ErrorMessage error={page.error} />
      <p class="visually-hidden" role="status">
        {page.loading ? 'Loading audit entries…' : page.data ? `${page.data.items.length} entries on this page.` : ''}
      </p>
      {page.data && (
        <>
          {page.data.items.length === 0 ? (
            <p class="empty">No audit entry matches these filters.</p>
          ) : (
            <table class="list audit" aria-busy={page.loading}>
              <caption class="visually-hidden">Audit entries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Actor</th>
                  <th scope="col">User</th>
                  <th scope="col">
                    <span class="visually-hidden">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((entry) => (
                  <Fragment key={entry.id}>
                    <tr class={`severity-${entry.severity}`}>
                      <td data-label="Time" class="time">
                        {formatTime(entry.created_at)}
                      </td>
                      <td data-label="Event">
                        <code>{entry.event_type}</code>
                      </td>
                      <td data-label="Outcome">
                        {entry.status}
                        {entry.severity !== 'info' ? ` · ${entry.severity}` : ''}
                      </td>
                      <td data-label="Actor">{entry.actor_identifier ?? entry.actor_type}</td>
                      <td data-label="User">{entry.user_id ? <Link href={href.user(entry.user_id)}>{entry.user_id}</Link> : '—'}</td>
                      <td data-label="Details">
                        <button
                          type="button"
                          aria-expanded={open === entry.id}
                          aria-controls={`audit-${entry.id}`}
                          onClick={() => setOpen(open === entry.id ? null : entry.id)}
                        >
                          {open === entry.id ? 'Hide' : 'Details'}
                        </button>
                      </td>
                    </tr>
                    {open === entry.id && (
                      <tr class="details" id={`audit-${entry.id}`}>
                        <td colSpan={6}>
                          <EntryDetails entry={entry} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          )}
          <nav class="pager" aria-label="Pages of the audit log">
            {applied.cursor ? <Link href={href.audit(queryString({ ...applied, cursor: '' }))}>⇤ Newest</Link> : null}
            {page.data.next_cursor ? (
              <Link href={href.audit(queryString({ ...applied, cursor: page.data.next_cursor }))}>Older →</Link>
            ) : null}
          </nav>
        </>
      )}
    </section>
  );
}

function toDraft(applied: Filters): Filters {
  return {
    ...applied,
    from: applied.from ? isoToUtcInput(applied.from) : '',
    to: applied.to ? isoToUtcInput(applied.to) : '',
    limit: PAGE_SIZES.includes(applied.limit) ? applied.limit : '50',
  };
}

const DETAIL_FIELDS: Array<[keyof AuditEntry, string]> = [
  ['id', 'Entry id'],
  ['created_at', 'Time'],
  ['event_type', 'Event type'],
  ['event_category', 'Category'],
  ['action', 'Action'],
  ['severity', 'Severity'],
  ['status', 'Outcome'],
  ['failure_reason', 'Failure reason'],
  ['actor_type', 'Actor type'],
  ['actor_identifier', 'Actor'],
  ['user_id', 'User id'],
  ['resource_type', 'Resource type'],
  ['resource_id', 'Resource id'],
  ['session_id', 'Session id'],
  ['request_id', 'Request id'],
  ['ip_address', 'IP address'],
  ['user_agent', 'User agent'],
  ['retention_until', 'Kept until'],
  ['is_sensitive', 'Sensitive'],
];

function EntryDetails({ entry }: { entry: AuditEntry }) {
  return (
    <div class="entry-details">
      <dl class="facts">
        {DETAIL_FIELDS.map(([field, label]) => (
          <Fragment key={field}>
            <dt>{label}</dt>
            <dd>{display(entry[field], field)}</dd>
          </Fragment>
        ))}
      </dl>
      {(['metadata', 'previous_state', 'new_state'] as const).map((field) =>
        entry[field] ? (
          <div key={field}>
            <h3>{field === 'metadata' ? 'Metadata' : field === 'previous_state' ? 'State before' : 'State after'}</h3>
            <pre>{JSON.stringify(entry[field], null, 2)}</pre>
          </div>
        ) : null,
      )}
    </div>
  );
}

function display(value: AuditEntry[keyof AuditEntry], field: keyof AuditEntry): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (field === 'created_at' || field === 'retention_until') return formatTime(String(value));
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
