import { newRunId, runIdTime } from './infrastructure';

describe('run ids', () => {
  it('encode the start time, so that leftovers of killed runs can be recognised by age', () => {
    const started = new Date('2026-11-21T01:17:30.456Z');
    const runId = newRunId(started);
    expect(runId).toBe('20261121t011730');
    expect(runIdTime(runId)).toBe(Date.UTC(2026, 10, 21, 1, 17, 30));
    expect(runIdTime('scratch')).toBeNull();
    expect(runIdTime('20261121t011730x')).toBeNull();
  });
});
