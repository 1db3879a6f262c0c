import fs from 'node:fs';
import path from 'node:path';
import { AUDIT_EVENTS } from './audit-entry';

/** docs/audit-trail.md tells compliance what each audit row means: it must list exactly the catalog. */
const doc = fs.readFileSync(path.resolve(__dirname, '../../../../docs/audit-trail.md'), 'utf8');

/** `| \`user.registered\` | \`user\` | \`register\` | when |` rows. */
const documented = [...doc.matchAll(/^\| `([a-z_]+\.[a-z_.]+)` \| `([a-z_]+)` \| `([a-z_]+)` \| (.+) \|$/gm)].map((match) => ({
  eventType: match[1],
  category: match[2],
  action: match[3],
}));

describe('docs/audit-trail.md', () => {
  it('documents every audit event type with its category and action, and no other', () => {
    const catalog = Object.values(AUDIT_EVENTS).map(({ eventType, category, action }) => ({ eventType, category, action }));
    const byType = (a: { eventType?: string }, b: { eventType?: string }) => (a.eventType ?? '').localeCompare(b.eventType ?? '');
    expect([...documented].sort(byType)).toEqual([...catalog].sort(byType));
  });
});
