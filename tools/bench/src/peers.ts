import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PeerScenarioName } from './options';

const execFileAsync = promisify(execFile);

/** tools/bench/peers/<name>/: a package.json and lockfile of its own, its node_modules git-ignored. */
export const PEERS_ROOT = path.resolve(__dirname, '..', 'peers');

const PEER_FOLDERS: Record<PeerScenarioName, string> = { better_auth: 'better-auth' };

export function peerFolder(name: PeerScenarioName): string {
  return path.join(PEERS_ROOT, PEER_FOLDERS[name]);
}

/** Where the digest of the lockfile last installed is kept (inside node_modules: it goes with it). */
const STAMP = path.join('node_modules', '.bench-installed-lock.sha256');

/**
 * Whether `npm ci` must run in a peer's folder: never installed, or installed from another lockfile.
 * `lockDigest` is the sha256 of the folder's package-lock.json, `stamp` what was recorded after the
 * last successful install (null when none).
 */
export function peerInstallNeeded(lockDigest: string, stamp: string | null): boolean {
  return stamp === null || stamp.trim() !== lockDigest;
}

/**
 * Installs a peer into its own folder with `npm ci` from its committed lockfile (exact versions),
 * never into the workspace's dependencies; skipped when the same lockfile is installed already.
 */
export async function ensurePeerInstalled(name: PeerScenarioName, log: (line: string) => void): Promise<string> {
  const folder = peerFolder(name);
  const lockFile = path.join(folder, 'package-lock.json');
  if (!fs.existsSync(lockFile))
    throw new Error(`${path.relative(process.cwd(), lockFile)} is missing: the peer installs only from its lockfile`);
  const digest = createHash('sha256').update(fs.readFileSync(lockFile)).digest('hex');
  const stampFile = path.join(folder, STAMP);
  const stamp = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8') : null;
  if (!peerInstallNeeded(digest, stamp)) return folder;
  log(`${name}: npm ci in ${path.relative(process.cwd(), folder)}`);
  try {
    await execFileAsync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel', 'error'], { cwd: folder, timeout: 600_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ci for the peer ${name} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
  fs.writeFileSync(stampFile, `${digest}\n`);
  return folder;
}
