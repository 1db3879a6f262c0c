import { Link } from './link';

interface PagerProps {
  label: string;
  offset: number;
  limit: number;
  shown: number;
  total: number;
  hrefForOffset: (offset: number) => string;
}

/** "21–40 of 57" with links to the previous and next page (links, so the browser's Back works). */
export function Pager({ label, offset, limit, shown, total, hrefForOffset }: PagerProps) {
  const first = total === 0 ? 0 : offset + 1;
  const last = offset + shown;
  return (
    <nav class="pager" aria-label={label}>
      <span>
        {first}–{last} of {total}
      </span>
      {offset > 0 ? <Link href={hrefForOffset(Math.max(0, offset - limit))}>← Previous</Link> : null}
      {last < total ? <Link href={hrefForOffset(offset + limit)}>Next →</Link> : null}
    </nav>
  );
}
