import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { IdempotencyBegin, IdempotencyStore, StoredResponse } from '@pandora/http-kit';
import type { Cluster, default as Redis } from 'ioredis';

export interface IdempotencyHandle {
  redisKey: string;
  owner: string;
  fingerprint: string;
  secret: Buffer;
}

// KEYS: the record. ARGV: fingerprint, lease ms, owner.
const BEGIN = `
local value = redis.call('GET', KEYS[1])
if not value then
  redis.call('SET', KEYS[1], cjson.encode({s = 'p', f = ARGV[1], o = ARGV[3]}), 'PX', ARGV[2])
  return {'started'}
end
local record = cjson.decode(value)
if record.f ~= ARGV[1] then return {'mismatch'} end
if record.s == 'p' then return {'in_progress'} end
return {'replay', record.r}`;

// KEYS: the record. ARGV: owner, fingerprint, encrypted response, ttl ms. Only the execution that
// started the key may complete it (a lease that expired meanwhile belongs to someone else).
const COMPLETE = `
local value = redis.call('GET', KEYS[1])
if not value then return 0 end
local record = cjson.decode(value)
if record.s ~= 'p' or record.o ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], cjson.encode({s = 'c', f = ARGV[2], r = ARGV[3]}), 'PX', ARGV[4])
return 1`;

const ABANDON = `
local value = redis.call('GET', KEYS[1])
if value and cjson.decode(value).o == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

type WithCommands = (Redis | Cluster) & {
  pandoraIdemBegin(key: string, fingerprint: string, leaseMs: number, owner: string): Promise<[string, string?]>;
  pandoraIdemComplete(key: string, owner: string, fingerprint: string, response: string, ttlMs: number): Promise<number>;
  pandoraIdemAbandon(key: string, owner: string): Promise<number>;
};

/**
 * Idempotency-Key records in Redis (docs/abuse-controls.md#idempotency-keys); the first answer is kept for `ttlMs` (IDEMPOTENCY_TTL).
 * The client's key never reaches Redis: the record's
 * name, the request fingerprint and the encryption key of the stored response are all derived from
 * it (HKDF), so whoever can read Redis sees neither the tokens a stored login/register answer holds
 * nor a hash of the password in its body.
 */
export class RedisIdempotencyStore implements IdempotencyStore<IdempotencyHandle> {
  private readonly redis: WithCommands;

  constructor(
    redis: Redis | Cluster,
    private readonly ttlMs: number,
  ) {
    redis.defineCommand('pandoraIdemBegin', { numberOfKeys: 1, lua: BEGIN });
    redis.defineCommand('pandoraIdemComplete', { numberOfKeys: 1, lua: COMPLETE });
    redis.defineCommand('pandoraIdemAbandon', { numberOfKeys: 1, lua: ABANDON });
    this.redis = redis as WithCommands;
  }

  /** `scope` = caller + method + route; `request` = what must match on a retry (path + canonical body). */
  async begin(input: { scope: string; key: string; request: string }): Promise<IdempotencyBegin<IdempotencyHandle>> {
    const material = Buffer.from(hkdfSync('sha256', input.key, input.scope, 'pandora-idempotency-v1', 64));
    const secret = material.subarray(32);
    const redisKey = `idempotency:${material.subarray(0, 24).toString('base64url')}`;
    const fingerprint = createHmac('sha256', secret).update(input.request).digest('base64url');
    const owner = randomBytes(12).toString('base64url');
    // The in-progress record lives as long as a finished one would: if the first execution died
    // without recording its answer we cannot know whether it committed, so the key stays refused
    // (409) rather than risking a second execution. Clients retry such a request with a new key.
    const [kind, payload] = await this.redis.pandoraIdemBegin(redisKey, fingerprint, this.ttlMs, owner);
    if (kind === 'started') return { kind, handle: { redisKey, owner, fingerprint, secret } };
    if (kind === 'replay') return { kind, response: decrypt(secret, payload as string) };
    return { kind: kind as 'mismatch' | 'in_progress' };
  }

  async complete(handle: IdempotencyHandle, response: StoredResponse): Promise<void> {
    await this.redis.pandoraIdemComplete(handle.redisKey, handle.owner, handle.fingerprint, encrypt(handle.secret, response), this.ttlMs);
  }

  async abandon(handle: IdempotencyHandle): Promise<void> {
    await this.redis.pandoraIdemAbandon(handle.redisKey, handle.owner);
  }
}

function encrypt(secret: Buffer, response: StoredResponse): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secret, iv);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(response), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

function decrypt(secret: Buffer, blob: string): StoredResponse {
  const bytes = Buffer.from(blob, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', secret, bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')) as StoredResponse;
}
