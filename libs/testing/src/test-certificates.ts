import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Throw-away PKI for TLS/mTLS tests, made with the openssl CLI (node:crypto can make keys but not
 * sign certificates). Nothing touches the network. EC P-256 keys keep generation fast.
 */
const execFileAsync = promisify(execFile);

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

export interface TestCertificateAuthority extends TestCertificate {
  /** Issues a certificate signed by this CA: `server` (SAN localhost/127.0.0.1) or `client`. */
  issue(commonName: string, usage: 'server' | 'client'): Promise<TestCertificate>;
}

export interface TestPki {
  dir: string;
  createAuthority(name: string): Promise<TestCertificateAuthority>;
  /** A certificate signed by nobody in particular (its own key). */
  selfSigned(commonName: string): Promise<TestCertificate>;
  cleanup(): void;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await execFileAsync('openssl', args, { cwd, timeout: 30_000 });
}

function read(certFile: string, keyFile: string): TestCertificate {
  return { certFile, keyFile, cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
}

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export function createTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pandora-pki-'));
  let serial = 1;

  const selfSigned = async (commonName: string, extensions: string[] = []): Promise<TestCertificate> => {
    const base = path.join(dir, `${commonName}-${serial++}`);
    await openssl(
      ['req', '-x509', ...KEY_ARGS, '-keyout', `${base}.key`, '-out', `${base}.crt`, '-days', '2', '-subj', `/CN=${commonName}`, ...extensions],
      dir,
    );
    return read(`${base}.crt`, `${base}.key`);
  };

  return {
    dir,
    selfSigned: (commonName) => selfSigned(commonName),
    async createAuthority(name) {
      const ca = await selfSigned(name, ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
      return {
        ...ca,
        async issue(commonName, usage) {
          const base = path.join(dir, `${commonName}-${serial++}`);
          const extensions =
            usage === 'server'
              ? 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n'
              : 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n';
          fs.writeFileSync(`${base}.ext`, extensions);
          await openssl(['req', '-new', ...KEY_ARGS, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${commonName}`], dir);
          await openssl(
            ['x509', '-req', '-in', `${base}.csr`, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', String(serial++), '-days', '2', '-out', `${base}.crt`, '-extfile', `${base}.ext`],
            dir,
          );
          return read(`${base}.crt`, `${base}.key`);
        },
      };
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
