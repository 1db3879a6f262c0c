import { useEffect, useState } from 'preact/hooks';

/** Client-side navigation over the History API: one event tells every listener the address changed. */
const CHANGED = 'console:navigated';

export interface ConsoleLocation {
  pathname: string;
  search: string;
}

function current(): ConsoleLocation {
  return { pathname: window.location.pathname, search: window.location.search };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === `${window.location.pathname}${window.location.search}`) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGED));
}

export function useLocation(): ConsoleLocation {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGED, update);
    };
  }, []);
  return location;
}
