import { KNOWN_DEVICE_WINDOW_MS, type RequestContext } from '@pandora/domain';
import { LogIn } from '../auth/log-in';
import { RegisterUser } from '../auth/register-user';
import { VerifyMfaChallenge } from '../auth/verify-mfa-challenge';
import { CONTEXT, createFakePorts, noticesQueued, PASSWORD, seedMfaUser, totpCode, type FakePorts } from '../testing';

const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const CHROME_WINDOWS_UPDATED =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

const at = (ipAddress: string, userAgent: string): RequestContext => ({ ...CONTEXT, ipAddress, userAgent });
const HOME = at('198.51.100.20', CHROME_WINDOWS);

async function registered(ports: FakePorts, where: RequestContext = HOME) {
  const { user } = await new RegisterUser(ports).execute(
    { email: 'ada@example.com', password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' },
    where,
  );
  return user;
}

const newDeviceNotices = (ports: FakePorts) => noticesQueued(ports).filter((notice) => notice.template === 'new_device_login');

describe('the new-device notice', () => {
  it('is not sent for a login where the account was registered, nor after a browser update or from the same /24', async () => {
    const ports = createFakePorts();
    const user = await registered(ports);
    const logIn = new LogIn(ports);
    await logIn.execute({ email: user.email, password: PASSWORD }, HOME);
    await logIn.execute({ email: user.email, password: PASSWORD }, at('198.51.100.200', CHROME_WINDOWS_UPDATED));
    expect(newDeviceNotices(ports)).toEqual([]);
  });

  it('is sent once for a new browser, and once for a new /24, with where and when', async () => {
    const ports = createFakePorts();
    const user = await registered(ports);
    const logIn = new LogIn(ports);
    const firefox = at('198.51.100.20', FIREFOX_LINUX);
    await logIn.execute({ email: user.email, password: PASSWORD }, firefox);
    await logIn.execute({ email: user.email, password: PASSWORD }, firefox);
    await logIn.execute({ email: user.email, password: PASSWORD }, at('198.51.101.20', CHROME_WINDOWS));

    expect(newDeviceNotices(ports)).toEqual([
      expect.objectContaining({
        recipient: user.email,
        data: expect.objectContaining({ ip_address: '198.51.100.20', user_agent: FIREFOX_LINUX }),
      }),
      expect.objectContaining({ data: expect.objectContaining({ ip_address: '198.51.101.20', user_agent: CHROME_WINDOWS }) }),
    ]);
    expect(newDeviceNotices(ports).every((notice) => notice.freezeToken.startsWith('link_token_'))).toBe(true);
  });

  it('is sent again for a device not seen for 90 days', async () => {
    const ports = createFakePorts();
    const user = await registered(ports);
    ports.clock.advance(KNOWN_DEVICE_WINDOW_MS);
    await new LogIn(ports).execute({ email: user.email, password: PASSWORD }, HOME);
    expect(newDeviceNotices(ports)).toHaveLength(1);
  });

  it('is not sent for a refused login', async () => {
    const ports = createFakePorts();
    const user = await registered(ports);
    await expect(new LogIn(ports).execute({ email: user.email, password: 'wrong' }, at('192.0.2.1', FIREFOX_LINUX))).rejects.toThrow();
    expect(newDeviceNotices(ports)).toEqual([]);
    expect(ports.db.loginDevices).toHaveLength(1);
  });

  it('is sent when an MFA login completes from a new device, not at its password step', async () => {
    const ports = createFakePorts();
    const user = await seedMfaUser(ports);
    const elsewhere = at('192.0.2.1', FIREFOX_LINUX);
    const challenge = await new LogIn(ports).execute({ email: user.email, password: PASSWORD }, elsewhere);
    expect(newDeviceNotices(ports)).toEqual([]);
    const mfaToken = 'mfaToken' in challenge ? challenge.mfaToken : '';
    await new VerifyMfaChallenge(ports).execute({ mfaToken, code: totpCode(ports) }, elsewhere);
    expect(newDeviceNotices(ports)).toHaveLength(1);
  });
});
