import type { KeyRing } from '@pandora/auth';
import type { Principal } from '@pandora/domain';
import { routeBuilder, type RouteDefinition } from '@pandora/http-kit';
import { z } from 'zod';

const jwksSchema = z
  .object({ keys: z.array(z.object({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.literal('sig') }).loose()) })
  .meta({ id: 'JWKS' });

/** Public keys of the active and grace signing keys, for services that verify our access tokens. */
export function jwksRoutes(keyRing: KeyRing): RouteDefinition<Principal>[] {
  const route = routeBuilder<Principal>();
  return [
    route({
      method: 'get',
      path: '/.well-known/jwks.json',
      operationId: 'jwks',
      summary: 'JSON Web Key Set of the access-token signing keys',
      tags: ['auth'],
      auth: 'none',
      outageProof: true,
      responses: { 200: { description: 'The key set.', schema: jwksSchema } },
      // Public material: caches may keep it briefly (rotation keeps the old key in grace meanwhile).
      handler: () => ({ status: 200, headers: { 'Cache-Control': 'public, max-age=300' }, body: keyRing.jwks() }),
    }),
  ];
}
