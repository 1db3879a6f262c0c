import { newIdempotencyKey } from '../lib/idempotency-key';
import { queryString } from '../lib/query-string';
import { ApiError, errorFromAnswer, networkError } from './api-error';
import {
  isMfaChallenge,
  type AdminUserList,
  type AdminUserView,
  type ApiPath,
  type AuditPage,
  type AuditQuery,
  type AuthResponse,
  type KycChange,
  type LoginAnswer,
  type MfaChallenge,
  type Role,
  type Session,
  type Statistics,
  type UserListQuery,
} from './types';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type SignInResult = { kind: 'signed-in'; auth: AuthResponse } | { kind: 'mfa'; challenge: MfaChallenge };

export interface AdminApiOptions {
  /** Called once when an answer says the session is over (401): the console shows sign-in again. */
  onSessionEnded: (error: ApiError) => void;
  fetch?: typeof fetch;
}

/** `/api/v1/admin/users/{id}` with its parameters filled in; the template is checked against the document's paths. */
export function pathOf(template: ApiPath, params: Record<string, string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

/**
 * The admin REST API of the console's own origin — the only server the console talks to.
 * The access token lives in this object's private field and nowhere else: no cookie, no Web Storage,
 * so closing or reloading the tab ends the console session. Every write carries an Idempotency-Key,
 * and a write whose answer was lost to the network is sent once more with the same key: the API
 * replays the first answer instead of acting twice.
 */
export class AdminApi {
  #token: string | null = null;
  readonly #fetch: typeof fetch;

  constructor(private readonly options: AdminApiOptions) {
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  get signedIn(): boolean {
    return this.#token !== null;
  }

  async signIn(email: string, password: string): Promise<SignInResult> {
    const body = await this.#send<LoginAnswer>('POST', pathOf('/api/v1/admin/auth/login'), { email, password }, false);
    return this.#signInResult(body);
  }

  /** The second step of a login that answered `mfa_required`. */
  async verifyMfa(mfaToken: string, code: string): Promise<SignInResult> {
    const body = await this.#send<AuthResponse>('POST', pathOf('/api/v1/admin/auth/mfa/verify'), { mfa_token: mfaToken, code }, false);
    return this.#signInResult(body);
  }

  /** Forgets the token. (The admin API has no logout; the token dies with this tab's memory.) */
  signOut(): void {
    this.#token = null;
  }

  listUsers(query: UserListQuery): Promise<AdminUserList> {
    return this.#send('GET', `${pathOf('/api/v1/admin/users')}${queryString(query)}`);
  }

  getUser(id: string): Promise<AdminUserView> {
    return this.#send('GET', pathOf('/api/v1/admin/users/{id}', { id }));
  }

  changeKyc(id: string, change: KycChange): Promise<AdminUserView> {
    return this.#send('PATCH', pathOf('/api/v1/admin/users/{id}/kyc', { id }), change);
  }

  changeRole(id: string, role: Role): Promise<AdminUserView> {
    return this.#send('PATCH', pathOf('/api/v1/admin/users/{id}/role', { id }), { role });
  }

  deleteUser(id: string): Promise<void> {
    return this.#send('DELETE', pathOf('/api/v1/admin/users/{id}', { id }));
  }

  async listSessions(id: string): Promise<Session[]> {
    const body = await this.#send<{ sessions: Session[] }>('GET', pathOf('/api/v1/admin/users/{id}/sessions', { id }));
    return body.sessions;
  }

  revokeSessions(id: string): Promise<void> {
    return this.#send('DELETE', pathOf('/api/v1/admin/users/{id}/sessions', { id }));
  }

  unlock(id: string): Promise<void> {
    return this.#send('POST', pathOf('/api/v1/admin/users/{id}/unlock', { id }));
  }

  resetMfa(id: string): Promise<void> {
    return this.#send('DELETE', pathOf('/api/v1/admin/users/{id}/mfa', { id }));
  }

  unfreeze(id: string): Promise<void> {
    return this.#send('POST', pathOf('/api/v1/admin/users/{id}/unfreeze', { id }));
  }

  auditLog(query: AuditQuery): Promise<AuditPage> {
    return this.#send('GET', `${pathOf('/api/v1/admin/audit-logs')}${queryString(query)}`);
  }

  statistics(): Promise<Statistics> {
    return this.#send('GET', pathOf('/api/v1/admin/stats'));
  }

  #signInResult(body: LoginAnswer): SignInResult {
    if (isMfaChallenge(body)) return { kind: 'mfa', challenge: body };
    this.#token = body.access_token;
    return { kind: 'signed-in', auth: body };
  }

  async #send<T>(method: Method, path: string, body?: object, authenticated = true): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (authenticated) {
      if (this.#token === null) throw new ApiError(401, 'UNAUTHORIZED', 'Sign in to continue.');
      headers.Authorization = `Bearer ${this.#token}`;
    }
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') headers['Idempotency-Key'] = newIdempotencyKey();
    const init: RequestInit = {
      method,
      headers,
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
      referrerPolicy: 'no-referrer',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    };

    let response: Response;
    try {
      response = await this.#fetch(path, init);
    } catch {
      // Lost on the way there or back: the same key makes a second attempt safe for writes too.
      try {
        response = await this.#fetch(path, init);
      } catch {
        throw networkError();
      }
    }
    if (response.status === 204) return undefined as T;
    const requestId = response.headers.get('X-Request-ID');
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      parsed = undefined;
    }
    if (response.ok) {
      if (parsed === undefined) throw errorFromAnswer(response.status, parsed, requestId);
      return parsed as T;
    }
    const error = errorFromAnswer(response.status, parsed, requestId);
    if (authenticated && error.endsSession) {
      this.#token = null;
      this.options.onSessionEnded(error);
    }
    throw error;
  }
}
