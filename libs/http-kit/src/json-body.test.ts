import { canonicalJson } from './request-guards';
import { MAX_JSON_DEPTH, wellFormedBodyIssue } from './json-body';

const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('wellFormedBodyIssue', () => {
  it('accepts the bodies the API takes', () => {
    expect(wellFormedBodyIssue({ email: 'ada@example.com', first_name: 'Ada 🦄', tags: [{ a: [1, null, true] }] })).toBeNull();
    expect(wellFormedBodyIssue(nested(MAX_JSON_DEPTH))).toBeNull();
  });

  it('refuses nesting deeper than the limit, however deep, without recursing', () => {
    expect(wellFormedBodyIssue(nested(MAX_JSON_DEPTH + 1))).toEqual({ field: 'body', message: expect.stringMatching(/Nested/) });
    expect(wellFormedBodyIssue(nested(200_000))).toEqual({ field: 'body', message: expect.stringMatching(/Nested/) });
  });

  it('names the field that holds a lone surrogate, in a value or in a key', () => {
    expect(wellFormedBodyIssue(JSON.parse('{"first_name":"Ada\\ud800"}'))).toEqual({ field: 'first_name', message: expect.any(String) });
    expect(wellFormedBodyIssue(JSON.parse('{"items":[{"x":"\\udc00"}]}'))).toEqual({ field: 'items.0.x', message: expect.any(String) });
    expect(wellFormedBodyIssue(JSON.parse('{"\\ud800":1}'))).toEqual({ field: '\ufffd', message: expect.any(String) });
    // A proper pair is one character, not two halves.
    expect(wellFormedBodyIssue(JSON.parse('{"name":"\\ud83e\\udd84"}'))).toBeNull();
  });

  it('keeps canonicalJson within what it can read: the deepest accepted body fingerprints', () => {
    expect(canonicalJson(nested(MAX_JSON_DEPTH))).toBe(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`);
  });
});
