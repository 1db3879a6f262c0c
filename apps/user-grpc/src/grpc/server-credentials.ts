import { ServerCredentials } from '@grpc/grpc-js';
import type { GrpcTlsConfig } from '@pandora/config';

/**
 * Plaintext (h2c) without certificates, TLS with a server certificate, and mTLS when a client CA
 * is configured: then the handshake itself refuses any client without a certificate that CA signed.
 */
export function serverCredentials(tls: GrpcTlsConfig | null): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(tls.clientCa, [{ cert_chain: tls.certChain, private_key: tls.privateKey }], tls.clientCa !== null);
}
