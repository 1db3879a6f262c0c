import { createRepositories } from '../src';
import { useSuiteDatabase } from './support/suite-database';
import { seedUser } from './support/users';

/** The login devices on PostgreSQL: one statement records a sighting and answers the previous one. */
const postgres = useSuiteDatabase({ applicationName: 'login-device-tests', poolMax: 4 });

const CHROME = { browser: 'Chrome', os: 'Windows', network: '198.51.100.0/24' };

describe('login devices on PostgreSQL', () => {
  it('answer null for a first sighting, then when the device was last seen', async () => {
    const userId = await seedUser(postgres.database);
    const devices = createRepositories(postgres.database).loginDevices;
    const first = new Date('2026-12-01T10:00:00.000Z');
    const second = new Date('2026-12-02T10:00:00.000Z');
    expect(await devices.record(userId, CHROME, first)).toBeNull();
    expect(await devices.record(userId, CHROME, second)).toEqual(first);
    expect(await devices.record(userId, CHROME, new Date('2026-12-03T10:00:00.000Z'))).toEqual(second);
  });

  it('keep devices apart by browser, system and network, and by account', async () => {
    const [userId, otherId] = [await seedUser(postgres.database), await seedUser(postgres.database)];
    const devices = createRepositories(postgres.database).loginDevices;
    const at = new Date();
    expect(await devices.record(userId, CHROME, at)).toBeNull();
    for (const device of [
      { ...CHROME, browser: 'Firefox' },
      { ...CHROME, os: 'Linux' },
      { ...CHROME, network: '198.51.101.0/24' },
    ]) {
      expect(await devices.record(userId, device, at)).toBeNull();
    }
    expect(await devices.record(otherId, CHROME, at)).toBeNull();
  });

  it('never move a device’s last sighting back in time', async () => {
    const userId = await seedUser(postgres.database);
    const devices = createRepositories(postgres.database).loginDevices;
    const later = new Date('2026-12-02T10:00:00.000Z');
    await devices.record(userId, CHROME, later);
    await devices.record(userId, CHROME, new Date('2026-12-01T10:00:00.000Z'));
    expect(await devices.record(userId, CHROME, new Date('2026-12-03T10:00:00.000Z'))).toEqual(later);
  });
});
