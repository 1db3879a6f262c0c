import fs from 'node:fs';
import path from 'node:path';
import { peerFolder, peerInstallNeeded } from './peers';

describe('peer installation', () => {
  it('installs when nothing was installed, or another lockfile was', () => {
    expect(peerInstallNeeded('abc', null)).toBe(true);
    expect(peerInstallNeeded('abc', 'def\n')).toBe(true);
    expect(peerInstallNeeded('abc', 'abc\n')).toBe(false);
  });

  it('pins better-auth exactly in a package.json and lockfile of its own', () => {
    const folder = peerFolder('better_auth');
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const version of Object.values(manifest.dependencies)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    const lock = JSON.parse(fs.readFileSync(path.join(folder, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    expect(lock.packages['node_modules/better-auth']?.version).toBe(manifest.dependencies['better-auth']);
    // The workspace itself never depends on the peer.
    const root = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    expect({ ...root.dependencies, ...root.devDependencies }).not.toHaveProperty('better-auth');
  });
});
