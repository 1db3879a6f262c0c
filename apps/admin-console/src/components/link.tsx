import type { ComponentChildren } from 'preact';
import { navigate } from '../lib/navigation';

interface LinkProps {
  href: string;
  children: ComponentChildren;
  class?: string;
  current?: boolean;
}

/** A real link (opens in a new tab, copies, works without a click handler) that navigates in place. */
export function Link({ href, children, current, ...rest }: LinkProps) {
  return (
    <a
      href={href}
      aria-current={current ? 'page' : undefined}
      {...rest}
      onClick={(event) => {
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
