import Bowser from 'bowser';

/**
 * What "the same device" means for the new-device notice (docs/accounts.md, "Security notices and
 * the freeze switch"): the browser family and the operating system family read from the user agent
 * by a maintained parser (bowser), and the client's network — its IPv4 /24 or IPv6 /64.
 *
 * Why families and not the full user-agent string: the string changes with every browser update
 * (and Chrome's reduced user agent freezes parts of it at random-looking values), so comparing it
 * whole would mail the owner after each update and teach them to ignore the notice. Families change
 * when someone really uses another browser or machine. Versions are left out for the same reason.
 * Why a network and not the address: home and mobile addresses move within their provider's block
 * every few days; a /24 (a /64 for IPv6, one customer's prefix) keeps a household as one place.
 */
export interface LoginDevice {
  /** Browser family (`Chrome`, `Firefox`…), or the agent's product token (`curl`), or `unknown`. */
  browser: string;
  /** OS family (`Windows`, `macOS`, `iOS`…), or `unknown`. */
  os: string;
  /** `203.0.113.0/24`, `2001:db8:1:2::/64`, or `unknown`. */
  network: string;
}

/** A login counts as from a known device when the device was seen within this window. */
export const KNOWN_DEVICE_WINDOW_MS = 90 * 24 * 3_600_000;

const UNKNOWN = 'unknown';
const MAX_FAMILY_LENGTH = 64;

export function loginDeviceOf(context: { ipAddress: string | null; userAgent: string | null }): LoginDevice {
  return { ...familiesOf(context.userAgent), network: networkOf(context.ipAddress) };
}

/** Whether a device last seen at `lastSeenAt` (null: never) is known at `now`. */
export function isKnownDevice(lastSeenAt: Date | null, now: Date): boolean {
  return lastSeenAt !== null && now.getTime() - lastSeenAt.getTime() < KNOWN_DEVICE_WINDOW_MS;
}

function familiesOf(userAgent: string | null): Pick<LoginDevice, 'browser' | 'os'> {
  const agent = userAgent?.trim() ?? '';
  if (agent === '') return { browser: UNKNOWN, os: UNKNOWN };
  const parsed = Bowser.parse(agent);
  // Not a browser bowser knows (an API client, a script): its product token names it well enough.
  const browser = parsed.browser.name || productToken(agent);
  return { browser: clip(browser), os: clip(parsed.os.name || UNKNOWN) };
}

function productToken(agent: string): string {
  const token = /^[A-Za-z][\w.-]*/.exec(agent)?.[0];
  return token ? token.toLowerCase() : UNKNOWN;
}

function clip(text: string): string {
  return text.length > MAX_FAMILY_LENGTH ? text.slice(0, MAX_FAMILY_LENGTH) : text;
}

/** The /24 of an IPv4 address (IPv4-mapped IPv6 included), the /64 of an IPv6 one, else `unknown`. */
export function networkOf(ipAddress: string | null): string {
  if (!ipAddress) return UNKNOWN;
  const address = ipAddress.trim().toLowerCase();
  const mapped = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (mapped) {
    const octets = mapped.slice(1, 4).map(Number);
    if (octets.some((octet) => octet > 255) || Number(mapped[4]) > 255) return UNKNOWN;
    return `${octets.join('.')}.0/24`;
  }
  const groups = ipv6Groups(address.replace(/%.*$/, ''));
  if (!groups) return UNKNOWN;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  if (!/^[0-9a-f:]+$/.test(address) || address.split('::').length > 2) return null;
  const [head = '', tail] = address.split('::');
  const part = (text: string) => (text === '' ? [] : text.split(':'));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  if (all.some((group) => !/^[0-9a-f]{1,4}$/.test(group))) return null;
  return all.map((group) => Number.parseInt(group, 16));
}
