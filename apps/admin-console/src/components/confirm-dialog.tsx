import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

export interface Confirmation {
  title: string;
  body: ComponentChildren;
  confirmLabel: string;
  /** The status line once the API accepted it. */
  done: string;
  action: () => Promise<unknown>;
}

/**
 * A modal question before a destructive action (the native <dialog>: focus stays inside, Escape
 * cancels). Cancel has the focus, so Enter alone never destroys anything. Focus returns to the
 * control that opened it.
 */
export function ConfirmDialog({ confirmation, onClose }: { confirmation: Confirmation; onClose: (confirmed: boolean) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const element = dialog.current;
    element?.showModal();
    cancel.current?.focus();
    return () => {
      if (element?.open) element.close();
      returnFocus(opener);
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose(false);
      }}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          onClose(true);
        }}
      >
        <h2 id={titleId}>{confirmation.title}</h2>
        <div class="confirm-body">{confirmation.body}</div>
        <div class="actions">
          <button type="button" ref={cancel} onClick={() => onClose(false)}>
            Cancel
          </button>
          <button type="submit" class="danger">
            {confirmation.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/**
 * Focus goes back to the control that opened the dialog. A screen that re-rendered meanwhile (a
 * resource finished loading) may have replaced that element with an identical one: then the button
 * with the same label takes the focus, so a keyboard user never lands on the page's top.
 */
function returnFocus(opener: HTMLElement | null): void {
  if (!opener) return;
  if (opener.isConnected) {
    opener.focus();
    return;
  }
  const label = opener.textContent;
  const twin = [...document.querySelectorAll<HTMLElement>(opener.tagName)].find((element) => element.textContent === label);
  twin?.focus();
}
