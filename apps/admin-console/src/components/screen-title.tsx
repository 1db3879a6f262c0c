import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/**
 * The screen's <h1>. It takes the focus when the screen opens, so keyboard and screen-reader users
 * land at the top of the new content after each navigation, as they would on a page load.
 */
export function ScreenTitle({ children }: { children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}
