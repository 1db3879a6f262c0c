import { isKnownDevice, KNOWN_DEVICE_WINDOW_MS, loginDeviceOf, networkOf } from './login-device';

const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const CHROME_WINDOWS_UPDATED =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';

describe('loginDeviceOf', () => {
  it('reads the browser and OS families, not their versions: a browser update is the same device', () => {
    const device = loginDeviceOf({ ipAddress: '203.0.113.7', userAgent: CHROME_WINDOWS });
    expect(device).toEqual({ browser: 'Chrome', os: 'Windows', network: '203.0.113.0/24' });
    expect(loginDeviceOf({ ipAddress: '203.0.113.99', userAgent: CHROME_WINDOWS_UPDATED })).toEqual(device);
  });

  it('tells another browser or another system apart', () => {
    expect(loginDeviceOf({ ipAddress: null, userAgent: FIREFOX_LINUX })).toMatchObject({ browser: 'Firefox', os: 'Linux' });
    expect(loginDeviceOf({ ipAddress: null, userAgent: SAFARI_IPHONE })).toMatchObject({ browser: 'Safari', os: 'iOS' });
  });

  it('names a client that is no browser by its product token, and says unknown when there is nothing to read', () => {
    expect(loginDeviceOf({ ipAddress: null, userAgent: 'curl/8.5.0' })).toEqual({ browser: 'curl', os: 'unknown', network: 'unknown' });
    expect(loginDeviceOf({ ipAddress: null, userAgent: 'python-requests/2.31' }).browser).toBe('python-requests');
    expect(loginDeviceOf({ ipAddress: null, userAgent: null })).toEqual({ browser: 'unknown', os: 'unknown', network: 'unknown' });
    expect(loginDeviceOf({ ipAddress: null, userAgent: '   ' }).browser).toBe('unknown');
  });
});

describe('networkOf', () => {
  it('keeps the /24 of an IPv4 address, also when written as IPv4-mapped IPv6', () => {
    expect(networkOf('198.51.100.23')).toBe('198.51.100.0/24');
    expect(networkOf('::ffff:198.51.100.200')).toBe('198.51.100.0/24');
    expect(networkOf('198.51.101.23')).toBe('198.51.101.0/24');
  });

  it('keeps the /64 of an IPv6 address, however it is written', () => {
    expect(networkOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(networkOf('2001:0DB8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkOf('::1')).toBe('0:0:0:0::/64');
    expect(networkOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('answers unknown for anything that is not an address', () => {
    for (const value of [null, '', 'localhost', '999.1.1.1', '1.2.3', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1']) {
      expect(networkOf(value)).toBe('unknown');
    }
  });
});

describe('isKnownDevice', () => {
  it('knows a device seen within 90 days, and forgets it after', () => {
    const now = new Date('2026-12-03T00:00:00Z');
    expect(isKnownDevice(null, now)).toBe(false);
    expect(isKnownDevice(new Date(now.getTime() - KNOWN_DEVICE_WINDOW_MS + 1), now)).toBe(true);
    expect(isKnownDevice(new Date(now.getTime() - KNOWN_DEVICE_WINDOW_MS), now)).toBe(false);
  });
});
