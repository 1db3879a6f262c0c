import { ANTI_PHISHING_CODE_MAX_LENGTH, ANTI_PHISHING_CODE_MIN_LENGTH, ANTI_PHISHING_CODE_PATTERN } from '@pandora/domain';
import { z } from 'zod';

/** Request bodies of the freeze switch and the anti-phishing code (docs/accounts.md, "Security notices and the freeze switch"). */
export const freezeAccountRequestSchema = z
  .strictObject({
    token: z
      .string()
      .min(1)
      .max(512)
      .meta({ description: 'The token of the freeze link in a security notice (`/freeze-account?token=…`).' }),
  })
  .meta({ id: 'FreezeAccountRequest' });

export const antiPhishingCodeRequestSchema = z
  .strictObject({
    code: z
      .string()
      .min(ANTI_PHISHING_CODE_MIN_LENGTH)
      .max(ANTI_PHISHING_CODE_MAX_LENGTH)
      .regex(ANTI_PHISHING_CODE_PATTERN, 'must be letters (A-Z, a-z) and digits only')
      .meta({ description: 'Shown verbatim in every later mail to you: a mail without it is not from us.', example: 'Orchid42' }),
  })
  .meta({ id: 'AntiPhishingCodeRequest' });
