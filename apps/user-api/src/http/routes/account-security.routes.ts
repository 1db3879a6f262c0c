import type { Principal } from '@pandora/domain';
import type { UseCases } from '@pandora/use-cases';
import { routeBuilder, type RouteDefinition } from '@pandora/http-kit';
import { antiPhishingCodeRequestSchema, freezeAccountRequestSchema } from '../schemas/account-security.schemas';

/** The freeze switch of the security notices and the anti-phishing code (docs/accounts.md, "Security notices and the freeze switch"). */
export function accountSecurityRoutes(useCases: UseCases): RouteDefinition<Principal>[] {
  const route = routeBuilder<Principal>();
  return [
    route({
      method: 'post',
      path: '/api/v1/auth/account/freeze',
      operationId: 'freezeAccount',
      summary: 'Freeze the account with the link of a security notice (“this wasn’t me”)',
      description:
        'Every session is revoked, every pending link from a mail stops working, and logins are refused (403 ACCOUNT_FROZEN after the right password) until support unfreezes the account. The link is single use and works for 7 days.',
      tags: ['auth'],
      auth: 'none',
      body: freezeAccountRequestSchema,
      responses: { 204: { description: 'The account is frozen.' } },
      errors: ['INVALID_OR_EXPIRED_TOKEN'],
      handler: async ({ body, client }) => {
        await useCases.freezeAccount.execute({ token: body.token }, client);
        return { status: 204 };
      },
    }),
    route({
      method: 'put',
      path: '/api/v1/users/me/anti-phishing-code',
      operationId: 'setAntiPhishingCode',
      summary: 'Set the anti-phishing code every later mail shows',
      description: '4 to 20 letters and digits; anything else (markup included) is refused with 400.',
      tags: ['account'],
      auth: 'user',
      body: antiPhishingCodeRequestSchema,
      responses: { 204: { description: 'Set; every mail from now on carries it.' } },
      errors: ['USER_NOT_FOUND'],
      handler: async ({ principal, body, client }) => {
        await useCases.setAntiPhishingCode.execute(principal, { code: body.code }, client);
        return { status: 204 };
      },
    }),
    route({
      method: 'delete',
      path: '/api/v1/users/me/anti-phishing-code',
      operationId: 'removeAntiPhishingCode',
      summary: 'Remove the anti-phishing code',
      tags: ['account'],
      auth: 'user',
      responses: { 204: { description: 'Removed (or there was none).' } },
      errors: ['USER_NOT_FOUND'],
      handler: async ({ principal, client }) => {
        await useCases.setAntiPhishingCode.execute(principal, { code: null }, client);
        return { status: 204 };
      },
    }),
  ];
}
