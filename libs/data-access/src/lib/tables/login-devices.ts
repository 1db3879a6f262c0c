import { col, defineTable, type RowOf } from '../sql/table';

/** `login_devices`: browser and OS families and the network each account signed in from (new-device notices). */
export const loginDevices = defineTable('login_devices', {
  id: col.uuid('id'),
  userId: col.uuid('user_id'),
  browser: col.text('browser'),
  os: col.text('os'),
  network: col.text('network'),
  firstSeenAt: col.timestamptz('first_seen_at'),
  lastSeenAt: col.timestamptz('last_seen_at'),
});

export type LoginDeviceRow = RowOf<typeof loginDevices.columns>;
