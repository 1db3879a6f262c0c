import { benchDatabaseRunId, newRunId, runIdTime } from './infrastructure';

describe('run ids', () => {
  it('encode the start time, so that leftovers of killed runs can be recognised by age', () => {
    const started = new Date('2026-11-21T01:17:30.456Z');
    const runId = newRunId(started);
    expect(runId).toBe('20261121t011730');
    expect(runIdTime(runId)).toBe(Date.UTC(2026, 10, 21, 1, 17, 30));
    expect(runIdTime('scratch')).toBeNull();
    expect(runIdTime('20261121t011730x')).toBeNull();
  });

  it('are read back from the run database and its side databases, and from nothing else', () => {
    expect(benchDatabaseRunId('pandora_bench_20261121t011730')).toBe('20261121t011730');
    expect(benchDatabaseRunId('pandora_bench_20261121t011730_better_auth')).toBe('20261121t011730');
    expect(benchDatabaseRunId('pandora_bench_scratch')).toBeUndefined();
    expect(benchDatabaseRunId('pandora_20261121t011730')).toBeUndefined();
  });
});
