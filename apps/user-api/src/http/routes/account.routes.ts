import type { Principal } from '@pandora/domain';
import type { UseCases } from '@pandora/use-cases';
import { routeBuilder, type RouteDefinition } from '@pandora/http-kit';
import { toUserDto, userDtoSchema } from '../schemas/dto.schemas';
import { kycSubmitSchema, passwordChangeSchema, profilePatchSchema, profilePutSchema } from '../schemas/request.schemas';

/** The caller's own account: /api/v1/users/me, its KYC submission and password (docs/api.md#the-public-api). */
export function accountRoutes(useCases: UseCases): RouteDefinition<Principal>[] {
  const route = routeBuilder<Principal>();
  const ok = { 200: { description: 'The account.', schema: userDtoSchema } };
  return [
    route({
      method: 'get',
      path: '/api/v1/users/me',
      operationId: 'getMe',
      summary: 'The authenticated user',
      tags: ['account'],
      auth: 'user',
      responses: ok,
      errors: ['USER_NOT_FOUND'],
      handler: async ({ principal }) => ({ status: 200, body: toUserDto(await useCases.getCurrentUser.execute(principal)) }),
    }),
    route({
      method: 'patch',
      path: '/api/v1/users/me',
      operationId: 'patchMe',
      summary: 'Change first and/or last name',
      tags: ['account'],
      auth: 'user',
      body: profilePatchSchema,
      responses: ok,
      errors: ['USER_NOT_FOUND'],
      handler: async ({ principal, body, client }) => {
        const user = await useCases.updateProfile.execute(
          principal,
          {
            ...(body.first_name !== undefined ? { firstName: body.first_name } : {}),
            ...(body.last_name !== undefined ? { lastName: body.last_name } : {}),
          },
          client,
        );
        return { status: 200, body: toUserDto(user) };
      },
    }),
    route({
      method: 'put',
      path: '/api/v1/users/me',
      operationId: 'putMe',
      summary: 'Replace first and last name',
      tags: ['account'],
      auth: 'user',
      body: profilePutSchema,
      responses: ok,
      errors: ['USER_NOT_FOUND'],
      handler: async ({ principal, body, client }) => ({
        status: 200,
        body: toUserDto(await useCases.updateProfile.execute(principal, { firstName: body.first_name, lastName: body.last_name }, client)),
      }),
    }),
    route({
      method: 'delete',
      path: '/api/v1/users/me',
      operationId: 'deleteMe',
      summary: 'Delete the account (soft delete; every session is revoked)',
      tags: ['account'],
      auth: 'user',
      responses: { 204: { description: 'Deleted.' } },
      errors: ['USER_NOT_FOUND'],
      handler: async ({ principal, client }) => {
        await useCases.deleteOwnAccount.execute(principal, client);
        return { status: 204 };
      },
    }),
    route({
      method: 'patch',
      path: '/api/v1/users/me/kyc',
      operationId: 'submitKyc',
      summary: 'Resubmit a rejected KYC application (rejected → pending)',
      tags: ['account'],
      auth: 'user',
      body: kycSubmitSchema,
      responses: ok,
      errors: ['INVALID_KYC_TRANSITION', 'USER_NOT_FOUND'],
      handler: async ({ principal, body, client }) => {
        const user = await useCases.changeOwnKycStatus.execute(principal, { status: body.kyc_status }, client);
        return { status: 200, body: toUserDto(user) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/users/me/password',
      operationId: 'changePassword',
      summary: 'Change the password (every other session is revoked)',
      description:
        'With two-factor authentication on, `mfa_code` is required too. A wrong password or code counts as a failed login for the account lockout.',
      tags: ['account'],
      auth: 'user',
      body: passwordChangeSchema,
      responses: { 204: { description: 'Changed.' } },
      errors: ['INVALID_CREDENTIALS', 'MFA_REQUIRED', 'INVALID_MFA_CODE', 'WEAK_PASSWORD', 'RATE_LIMITED', 'USER_NOT_FOUND'],
      handler: async ({ principal, body, client }) => {
        await useCases.changePassword.execute(
          principal,
          {
            currentPassword: body.current_password,
            newPassword: body.new_password,
            ...(body.mfa_code !== undefined ? { mfaCode: body.mfa_code } : {}),
          },
          client,
        );
        return { status: 204 };
      },
    }),
  ];
}
