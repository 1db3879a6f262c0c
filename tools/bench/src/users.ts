/** The benchmark's accounts, registered through the real API (the register path, Argon2 included). */
export interface BenchUser {
  id: string;
  email: string;
  password: string;
}

export const BENCH_PASSWORD = 'pandora bench passphrase, long enough';
const USER_COUNT = 16;

let registered: BenchUser[] | null = null;

async function postJson(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function inParallel<T>(count: number, concurrency: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await work(index);
      }
    }),
  );
  return results;
}

/** The accounts, if some user-api of this run registered them already. */
export function registeredUsers(): BenchUser[] | null {
  return registered;
}

/** Registers the accounts once per run (any user-api of the run will do: they share the database). */
export async function benchUsers(publicUrl: string): Promise<BenchUser[]> {
  registered ??= await inParallel(USER_COUNT, 4, async (index) => {
    const email = `bench.user.${index}@example.com`;
    const { status, json } = await postJson(`${publicUrl}/api/v1/auth/register`, {
      email,
      password: BENCH_PASSWORD,
      first_name: 'Bench',
      last_name: `User ${index}`,
    });
    if (status !== 201) throw new Error(`registering ${email} answered ${status}: ${JSON.stringify(json)}`);
    return { id: (json.user as { id: string }).id, email, password: BENCH_PASSWORD };
  });
  return registered;
}

/** `count` fresh sessions (access tokens), spread over the accounts. */
export async function accessTokens(publicUrl: string, count: number): Promise<string[]> {
  const users = await benchUsers(publicUrl);
  return inParallel(count, 4, async (index) => {
    const user = users[index % users.length] as BenchUser;
    const { status, json } = await postJson(`${publicUrl}/api/v1/auth/login`, { email: user.email, password: user.password });
    if (status !== 200) throw new Error(`login of ${user.email} answered ${status}: ${JSON.stringify(json)}`);
    return json.access_token as string;
  });
}
