import type { Logger } from '@pandora/observability';

/**
 * Work a request starts but does not wait for: the password-recovery request answers 202 before it
 * looks the address up, so that its answer and its timing are the same with or without an account
 * (docs/mail.md#password-recovery). A failure is logged; shutdown waits for what is still running.
 */
export class BackgroundWork {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  run(name: string, work: () => Promise<unknown>): void {
    const task: Promise<void> = work()
      .then(
        () => undefined,
        (error: unknown) => this.logger.error('background work failed', { work: name, error }),
      )
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** Resolves once nothing started so far is still running. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
