import { randomUUID } from 'node:crypto';
import type { LoginDevice, LoginDeviceRepository } from '@pandora/domain';
import type { Queryable } from './sql/database';

// The previous sighting is read by the same statement that records this one: the CTE sees the row
// as it was before the upsert, so two devices never share an answer and no second round trip is needed.
const RECORD = `WITH previous AS (
    SELECT last_seen_at FROM login_devices WHERE user_id = $1::uuid AND browser = $2 AND os = $3 AND network = $4
  ), upserted AS (
    INSERT INTO login_devices (id, user_id, browser, os, network, first_seen_at, last_seen_at)
    VALUES ($5::uuid, $1::uuid, $2, $3, $4, $6::timestamptz, $6::timestamptz)
    ON CONFLICT (user_id, browser, os, network) DO UPDATE SET last_seen_at = GREATEST(login_devices.last_seen_at, EXCLUDED.last_seen_at)
    RETURNING 1
  )
  SELECT (SELECT last_seen_at FROM previous) AS previous_seen_at FROM upserted`;

export class PgLoginDeviceRepository implements LoginDeviceRepository {
  constructor(private readonly db: Queryable) {}

  async record(userId: string, device: LoginDevice, at: Date): Promise<Date | null> {
    const { rows } = await this.db.query<{ previous_seen_at: Date | null }>(RECORD, [
      userId,
      device.browser,
      device.os,
      device.network,
      randomUUID(),
      at,
    ]);
    return rows[0]?.previous_seen_at ?? null;
  }
}
