import { tracingSettingsFromEnv } from './tracing';

describe('tracing settings from the environment', () => {
  it('are off unless OTEL_ENABLED says otherwise, with every sampled trace kept outside prod', () => {
    expect(tracingSettingsFromEnv('user-api', {})).toEqual({
      enabled: false,
      serviceName: 'user-api',
      endpoint: 'http://localhost:4318',
      sampleRate: 1,
    });
  });

  it.each(['true', 'TRUE', '1', 'yes', 'on', ' true '])('turn tracing on for OTEL_ENABLED=%j', (value) => {
    expect(tracingSettingsFromEnv('user-api', { OTEL_ENABLED: value }).enabled).toBe(true);
  });

  it.each(['false', 'False', '0', 'no', 'off', ''])('keep tracing off for OTEL_ENABLED=%j', (value) => {
    expect(tracingSettingsFromEnv('user-api', { OTEL_ENABLED: value }).enabled).toBe(false);
  });

  it('refuse an OTEL_ENABLED that is neither true nor false instead of silently tracing nothing', () => {
    expect(() => tracingSettingsFromEnv('user-api', { OTEL_ENABLED: 'ture' })).toThrow(
      'Invalid configuration for user-api:\n  - OTEL_ENABLED: expected true or false (got "ture")',
    );
  });

  it('sample a tenth of new traces in prod and all of them in every other APP_ENV by default', () => {
    expect(tracingSettingsFromEnv('user-api', { APP_ENV: 'prod' }).sampleRate).toBe(0.1);
    expect(tracingSettingsFromEnv('user-api', { APP_ENV: 'prod', OTEL_SAMPLE_RATE: ' ' }).sampleRate).toBe(0.1);
    for (const appEnv of ['dev', 'test', 'sandbox', 'audit']) {
      expect(tracingSettingsFromEnv('user-api', { APP_ENV: appEnv }).sampleRate).toBe(1);
    }
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['0.25', 0.25],
    ['.5', 0.5],
    [' 0.75 ', 0.75],
  ])('read OTEL_SAMPLE_RATE=%j as %d, even in prod', (value, expected) => {
    expect(tracingSettingsFromEnv('user-api', { APP_ENV: 'prod', OTEL_SAMPLE_RATE: value }).sampleRate).toBe(expected);
  });

  it.each(['1.5', '-0.1', 'half', '0x1', '1e-1', 'Infinity', 'NaN', '0,5'])(
    'refuse OTEL_SAMPLE_RATE=%j with a message naming the variable',
    (value) => {
      expect(() => tracingSettingsFromEnv('event-relay', { OTEL_SAMPLE_RATE: value })).toThrow(
        `Invalid configuration for event-relay:\n  - OTEL_SAMPLE_RATE: expected a number between 0 and 1 (got "${value}")`,
      );
    },
  );

  it('report every bad variable at once', () => {
    expect(() => tracingSettingsFromEnv('user-grpc', { OTEL_SAMPLE_RATE: '2', OTEL_ENABLED: 'maybe' })).toThrow(
      /OTEL_SAMPLE_RATE[\s\S]*OTEL_ENABLED/,
    );
  });

  it('take the service name and the collector endpoint from the environment, without a trailing slash', () => {
    const settings = tracingSettingsFromEnv('user-api', {
      OTEL_SERVICE_NAME: 'user-api-eu',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
    });
    expect(settings).toMatchObject({ serviceName: 'user-api-eu', endpoint: 'http://collector:4318' });
  });
});
