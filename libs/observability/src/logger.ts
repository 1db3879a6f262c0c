import type { Writable } from 'node:stream';
import winston from 'winston';
import type TransportStream from 'winston-transport';
import { isSecretKey, redact, REDACTED, redactString } from './redaction';
import { currentLogContext, currentTraceIds } from './request-context';
import { sinkFor, type StdoutSink } from './stdout-sink';

export type LogLevel = 'error' | 'warn' | 'info' | 'http' | 'debug';

export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  /** Security events (reuse detection, lockouts, refused logins…) are written whatever the level. */
  security(event: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  service: string;
  level: LogLevel;
  /** Where lines go (default stdout); tests pass a stream to capture them. */
  stream?: Writable;
  /**
   * Write stdout from a writer thread, in batches, so that the event loop never waits for the reader
   * (the servers: user-api, user-grpc). Every line is still written, in order, also on exit
   * (stdout-sink.ts). Without it, each line is one synchronous write.
   */
  nonBlockingStdout?: boolean;
}

/** The finished line winston's json format leaves on every entry (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

/** winston-transport's base class: winston exports it as `Transport` (its typings call it `transport`). */
const TransportBase = (winston as unknown as { Transport: typeof TransportStream }).Transport;

/** Hands each formatted line to the process's stdout sink. */
class SinkTransport extends TransportBase {
  constructor(private readonly sink: StdoutSink) {
    super();
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    this.sink.write(info[MESSAGE] as string);
    next();
  }
}

function transportFor(options: LoggerOptions): TransportStream {
  if (options.stream) return new winston.transports.Stream({ stream: options.stream });
  if (options.nonBlockingStdout) return new SinkTransport(sinkFor(1));
  return new winston.transports.Console();
}

/**
 * One pass over each entry before it is serialised: the request/call context is added (fields given
 * explicitly win), then every field is redacted in place — secret-looking keys replaced, strings
 * scrubbed, objects copied scrubbed (redaction.ts). In place, so the entry is not rebuilt per line:
 * the same fields and values as redacting a copy and putting it back, and json() sorts the keys.
 */
const contextAndRedactionFormat = winston.format((info) => {
  const entry = info as Record<string, unknown>;
  const context = currentLogContext();
  if (context) for (const [key, value] of Object.entries(context)) if (value !== undefined && entry[key] === undefined) entry[key] = value;
  const trace = currentTraceIds();
  if (trace?.trace_id && entry.trace_id === undefined) {
    entry.trace_id = trace.trace_id;
    entry.span_id = trace.span_id;
  }
  // One set for the whole entry, as when the fields were redacted as one object: an object met
  // twice is written once.
  const seen = new WeakSet<object>();
  for (const key of Object.keys(entry)) {
    if (key === 'level') continue;
    const value = entry[key];
    if (key === 'message') entry.message = typeof value === 'string' ? redactString(value) : value;
    else entry[key] = isSecretKey(key) ? REDACTED : redact(value, 1, seen);
  }
  return info;
});

function buildWinston(options: LoggerOptions, level: LogLevel): winston.Logger {
  return winston.createLogger({
    level,
    defaultMeta: { service: options.service },
    format: winston.format.combine(contextAndRedactionFormat(), winston.format.timestamp(), winston.format.json()),
    transports: [transportFor(options)],
  });
}

class WinstonLogger implements Logger {
  constructor(
    private readonly main: winston.Logger,
    private readonly securityChannel: winston.Logger,
    private readonly fields: Record<string, unknown> = {},
  ) {}

  error(message: string, fields?: Record<string, unknown>): void {
    this.main.error(message, { ...this.fields, ...fields });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.main.warn(message, { ...this.fields, ...fields });
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.main.info(message, { ...this.fields, ...fields });
  }
  debug(message: string, fields?: Record<string, unknown>): void {
    this.main.debug(message, { ...this.fields, ...fields });
  }
  security(event: string, fields?: Record<string, unknown>): void {
    this.securityChannel.warn(event, { ...this.fields, ...fields, security_event: event });
  }
  child(fields: Record<string, unknown>): Logger {
    return new WinstonLogger(this.main, this.securityChannel, { ...this.fields, ...fields });
  }
}

/** JSON lines on stdout with the request/trace context and redaction applied to every line. */
export function createLogger(options: LoggerOptions): Logger {
  return new WinstonLogger(buildWinston(options, options.level), buildWinston(options, 'warn'));
}
