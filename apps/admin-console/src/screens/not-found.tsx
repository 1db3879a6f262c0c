import { Link } from '../components/link';
import { ScreenTitle } from '../components/screen-title';
import { href } from '../lib/routes';

export function NotFound() {
  return (
    <section>
      <ScreenTitle>Not found</ScreenTitle>
      <p>
        The console has no page at this address. <Link href={href.overview()}>Go to the overview</Link>.
      </p>
    </section>
  );
}
