/**
 * Waiting without sleeping: tests wait for the condition that proves something happened, with a
 * deadline, instead of sleeping for a time that is too long on a quiet machine and too short on a
 * loaded one. The poll step below is the only pause, and the test does not depend on its length.
 */
export async function eventually<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 30_000,
  stepMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/**
 * A clock the test moves: real time plus an offset. Time-based rules that read an injected clock
 * (grace windows, expiry) are crossed with `advance`, never by waiting; everything else sees time
 * flow as usual.
 */
export class OffsetClock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
