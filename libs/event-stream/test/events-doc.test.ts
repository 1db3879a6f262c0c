import fs from 'node:fs';
import path from 'node:path';
import { EVENT_PAYLOAD_SCHEMAS, EVENT_TYPES, eventMetadataSchema } from '@pandora/domain';
import { WORKSPACE_ROOT } from '@pandora/testing';
import { STREAM_ENTRY_FIELDS } from '../src';

/** docs/events.md is the consumers' contract: it must describe exactly what the catalog defines. */
const doc = fs.readFileSync(path.join(WORKSPACE_ROOT, 'docs/events.md'), 'utf8');

function sectionOf(type: string): string {
  const start = doc.indexOf(`### \`${type}\``);
  if (start < 0) return '';
  const next = doc.indexOf('\n### ', start + 1);
  return doc.slice(start, next < 0 ? undefined : next);
}

function documentedFields(section: string): string[] {
  return [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1] as string);
}

describe('docs/events.md', () => {
  it.each(EVENT_TYPES)('documents %s with exactly its payload fields', (type) => {
    const section = sectionOf(type);
    expect(section).not.toBe('');
    expect(documentedFields(section).sort()).toEqual(Object.keys(EVENT_PAYLOAD_SCHEMAS[type].shape).sort());
  });

  it('documents the entry fields and every metadata key', () => {
    const entry = doc.slice(doc.indexOf('### One entry'), doc.indexOf('### Metadata'));
    expect(documentedFields(entry)).toEqual([...STREAM_ENTRY_FIELDS]);
    const metadata = doc.slice(doc.indexOf('### Metadata'), doc.indexOf('## Event types'));
    expect(documentedFields(metadata).sort()).toEqual(Object.keys(eventMetadataSchema.shape).sort());
  });

  it('documents no event type the catalog does not have', () => {
    const documented = [...doc.matchAll(/^### `([a-z_.]+)`$/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual([...EVENT_TYPES].sort());
  });
});
