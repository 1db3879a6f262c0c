import { randomUUID } from 'node:crypto';

/** A caller of the real user-api process over HTTP, sending the context headers events carry. */
export interface CallContext {
  requestId?: string;
  userAgent?: string;
  traceparent?: string;
  token?: string;
}

export interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
}

export const PASSWORD = 'correct horse battery staple';

export async function call(baseUrl: string, method: string, path: string, body?: unknown, context: CallContext = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { 'X-Request-ID': context.requestId ?? `req-${randomUUID().slice(0, 12)}` };
  if (context.userAgent) headers['User-Agent'] = context.userAgent;
  if (context.traceparent) headers.traceparent = context.traceparent;
  if (context.token) headers.Authorization = `Bearer ${context.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export interface Account {
  id: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

export async function registerAccount(
  baseUrl: string,
  context: CallContext = {},
  email = `relay.${randomUUID().slice(0, 8)}@example.com`,
): Promise<Account> {
  const response = await call(
    baseUrl,
    'POST',
    '/auth/register',
    { email, password: PASSWORD, first_name: 'Ada', last_name: 'Lovelace' },
    context,
  );
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
  const user = response.body.user as { id: string; email: string };
  return {
    id: user.id,
    email: user.email,
    accessToken: response.body.access_token as string,
    refreshToken: response.body.refresh_token as string,
  };
}

/** PATCH /users/me with a new first name; throws unless 200. */
export async function renameAccount(baseUrl: string, account: Account, firstName: string, context: CallContext = {}): Promise<void> {
  const response = await call(baseUrl, 'PATCH', '/users/me', { first_name: firstName }, { ...context, token: account.accessToken });
  if (response.status !== 200) throw new Error(`profile update failed: ${response.status} ${JSON.stringify(response.body)}`);
}
