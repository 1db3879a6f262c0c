import type { AuthenticationLevel } from './authentication';
import type { Role } from './role';

/** Where a call came from; copied into audit rows and event metadata. */
export interface RequestContext {
  requestId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  /** W3C trace context of the call, so consumers of its events can continue the trace. */
  traceparent: string | null;
}

export const NO_REQUEST_CONTEXT: RequestContext = { requestId: null, ipAddress: null, userAgent: null, traceparent: null };

/** The authenticated caller of a user or admin route. */
export interface Principal {
  userId: string;
  sessionId: string;
  email: string;
  role: Role;
  /** 1: the session was opened with a password; 2: with a password and a second factor. */
  aal: AuthenticationLevel;
}
