import type { LoginDevice } from '../security/login-device';

/** The devices each account signed in from (docs/accounts.md, "Security notices and the freeze switch"). */
export interface LoginDeviceRepository {
  /**
   * Records a sign-in from `device` at `at` (first seen, or seen again) and answers when the device
   * was last seen before this one (null: never), in one statement.
   */
  record(userId: string, device: LoginDevice, at: Date): Promise<Date | null>;
}
