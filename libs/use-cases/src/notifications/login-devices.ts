import { isKnownDevice, loginDeviceOf, type Repositories, type RequestContext, type User } from '@pandora/domain';
import { queueSecurityNotice, type SecurityNoticePorts } from './security-notice';

/**
 * Registration: the device the account was created on is its first known device, so signing in again
 * from there sends nothing.
 */
export async function rememberRegistrationDevice(
  repositories: Repositories,
  userId: string,
  ctx: RequestContext,
  now: Date,
): Promise<void> {
  await repositories.loginDevices.record(userId, loginDeviceOf(ctx), now);
}

/**
 * A completed sign-in (password, or password and second factor), inside the transaction that opens
 * its session: the device is recorded, and when it matches none of the account's devices seen in
 * the last 90 days (same browser family, OS family and /24 or /64 network: libs/domain
 * login-device.ts says why), the owner gets the `new_device_login` notice with its freeze link.
 */
export async function noticeNewDevice(
  deps: SecurityNoticePorts,
  repositories: Repositories,
  user: Pick<User, 'id' | 'email' | 'firstName'>,
  ctx: RequestContext,
  now: Date,
): Promise<boolean> {
  const lastSeenAt = await repositories.loginDevices.record(user.id, loginDeviceOf(ctx), now);
  if (isKnownDevice(lastSeenAt, now)) return false;
  await queueSecurityNotice(deps, repositories, { user, template: 'new_device_login', ctx });
  return true;
}
