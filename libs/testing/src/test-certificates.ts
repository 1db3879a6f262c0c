import { generateKeyPair } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

/**
 * Throw-away PKI for TLS/mTLS tests, made in-process: no openssl binary, no network. node:crypto
 * makes the keys (natively) but cannot sign certificates, so node-forge builds and signs them.
 * forge signs RSA only, hence RSA-2048 where real deployments may well use EC keys; the TLS code
 * under test does not care.
 */
const generateRsaKeyPair = promisify(generateKeyPair);

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

interface KeyPair {
  pem: string;
  forgePrivate: forge.pki.rsa.PrivateKey;
  forgePublic: forge.pki.rsa.PublicKey;
}

/** Who signs a certificate: its own key (self-signed) or a CA's. */
interface Signer {
  certificate: forge.pki.Certificate | null;
  keys: KeyPair;
}

type Extensions = Array<Record<string, unknown>>;

const CA_EXTENSIONS: Extensions = [
  { name: 'basicConstraints', cA: true, critical: true },
  { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
];
const LEAF_EXTENSIONS: Record<'server' | 'client', Extensions> = {
  server: [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    // 2: dNSName, 7: iPAddress (RFC 5280 GeneralName tags).
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    },
  ],
  client: [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true },
    { name: 'extKeyUsage', clientAuth: true },
  ],
};
/** Tolerates a little clock skew between the test and the TLS stack, like any CA does. */
const BACKDATE_MS = 60_000;
const VALIDITY_MS = 2 * 24 * 60 * 60_000;

async function newKeyPair(): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateRsaKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { pem: privateKey, forgePrivate: forge.pki.privateKeyFromPem(privateKey), forgePublic: forge.pki.publicKeyFromPem(publicKey) };
}

/** forge writes these hex bytes as the DER INTEGER as they are: minimal, and positive (RFC 5280). */
function serialHex(serial: number): string {
  const hex = serial.toString(16);
  const even = hex.length % 2 === 0 ? hex : `0${hex}`;
  return parseInt(even.slice(0, 2), 16) >= 0x80 ? `00${even}` : even;
}

function buildCertificate(
  commonName: string,
  serial: number,
  keys: KeyPair,
  signer: Signer | null,
  extensions: Extensions,
): forge.pki.Certificate {
  const certificate = forge.pki.createCertificate();
  const subject = [{ name: 'commonName', value: commonName }];
  certificate.publicKey = keys.forgePublic;
  certificate.serialNumber = serialHex(serial);
  certificate.validity.notBefore = new Date(Date.now() - BACKDATE_MS);
  certificate.validity.notAfter = new Date(Date.now() + VALIDITY_MS);
  certificate.setSubject(subject);
  certificate.setIssuer(signer?.certificate ? signer.certificate.subject.attributes : subject);
  const identifiers: Extensions = [{ name: 'subjectKeyIdentifier' }];
  if (signer?.certificate)
    identifiers.push({ name: 'authorityKeyIdentifier', keyIdentifier: signer.certificate.generateSubjectKeyIdentifier().getBytes() });
  certificate.setExtensions([...extensions, ...identifiers]);
  certificate.sign(signer?.keys.forgePrivate ?? keys.forgePrivate, forge.md.sha256.create());
  return certificate;
}

export function createTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pandora-pki-'));
  let serial = 1;

  const create = async (commonName: string, signer: Signer | null, extensions: Extensions) => {
    const keys = await newKeyPair();
    const number = serial++;
    const certificate = buildCertificate(commonName, number, keys, signer, extensions);
    const base = path.join(dir, `${commonName}-${number}`);
    const written: TestCertificate = {
      certFile: `${base}.crt`,
      keyFile: `${base}.key`,
      cert: Buffer.from(forge.pki.certificateToPem(certificate)),
      key: Buffer.from(keys.pem),
    };
    fs.writeFileSync(written.certFile, written.cert);
    fs.writeFileSync(written.keyFile, written.key, { mode: 0o600 });
    return { written, certificate, keys };
  };

  return {
    dir,
    selfSigned: async (commonName) => (await create(commonName, null, LEAF_EXTENSIONS.client)).written,
    async createAuthority(name) {
      const ca = await create(name, null, CA_EXTENSIONS);
      const signer: Signer = { certificate: ca.certificate, keys: ca.keys };
      return {
        ...ca.written,
        issue: async (commonName, usage) => (await create(commonName, signer, LEAF_EXTENSIONS[usage])).written,
      };
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
