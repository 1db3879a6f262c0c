import { queryString, readParams } from './query-string';

describe('query strings', () => {
  it('leaves out empty and missing values, and encodes the rest', () => {
    expect(queryString({ query: 'a&b %', role: '', kyc_status: undefined, limit: '20' })).toBe('?query=a%26b+%25&limit=20');
    expect(queryString({ role: '' })).toBe('');
  });

  it('reads the named parameters, empty when absent', () => {
    expect(readParams('?query=ada&offset=20&other=x', ['query', 'offset', 'role'])).toEqual({ query: 'ada', offset: '20', role: '' });
  });
});
