import { ConfigError } from './config-error';

/** A listener could not bind because another process holds its port. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    /** The variable that sets this port (SERVER_PORT, GRPC_PORT…), so the message can say what to change. */
    readonly variable: string,
  ) {
    super(`port ${port} is already in use (${variable})`);
    this.name = 'PortInUseError';
  }
}

/** Runs `bind`; an "address in use" failure becomes a PortInUseError naming `variable`. */
export async function bindPort<T>(variable: string, port: number, bind: () => Promise<T>): Promise<T> {
  try {
    return await bind();
  } catch (error) {
    if (isAddressInUse(error)) throw new PortInUseError(port, variable);
    throw error;
  }
}

function isAddressInUse(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  // node:net sets the code; grpc-js only names it in its message ("No address added … EADDRINUSE …").
  return code === 'EADDRINUSE' || (typeof message === 'string' && message.includes('EADDRINUSE'));
}

/**
 * What a process prints on stderr when it cannot start. The failures people cause themselves — a
 * bad variable, a port another process holds — get a plain message and no stack trace; anything
 * else keeps its stack, because then someone has to debug it.
 */
export function startupFailureMessage(service: string, error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof PortInUseError) {
    return `${service}: port ${error.port} is already in use (${error.variable}); stop the other process or set ${error.variable}`;
  }
  return `${service} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
