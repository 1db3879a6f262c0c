/** `?a=1&b=x` from the set values of `params` (empty strings and undefined are left out), or ''. */
export function queryString(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The named parameters of a location's search string, each '' when absent. */
export function readParams<K extends string>(search: string, names: readonly K[]): Record<K, string> {
  const params = new URLSearchParams(search);
  return Object.fromEntries(names.map((name) => [name, params.get(name) ?? ''])) as Record<K, string>;
}
