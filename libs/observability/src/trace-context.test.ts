import { newTraceId, parseTraceparent } from './trace-context';

describe('W3C traceparent parsing', () => {
  it('reads the trace and parent ids of a valid traceparent', () => {
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
    });
  });

  it('accepts extra fields only from a future version', () => {
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future')).not.toBeNull();
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future')).toBeNull();
  });

  it.each([
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['upper-case hex', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01'],
    ['a short trace id', '00-4bf92f3577b34da6-00f067aa0ba902b7-01'],
    ['no value', undefined],
    ['an over-long value', `01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-${'x'.repeat(600)}`],
  ])('ignores %s', (_label, value) => {
    expect(parseTraceparent(value)).toBeNull();
  });
});

describe('a new trace id', () => {
  it('is 32 lower-case hex digits a traceparent accepts, and never the same twice across refills of its pool', () => {
    const ids = Array.from({ length: 1_000 }, () => newTraceId());
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(parseTraceparent(`00-${id}-00f067aa0ba902b7-01`)?.traceId).toBe(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
