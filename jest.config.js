// `npm test` runs every project's suites in one Jest invocation: one global setup, one migrated
// template database that each suite clones. Projects are found, not listed: a new app or lib with
// a jest.config.js is picked up automatically.
const fs = require('node:fs');
const path = require('node:path');
const preset = require('./jest.preset');

const projects = ['apps', 'libs', 'tools']
  .flatMap((dir) =>
    fs.existsSync(path.join(__dirname, dir))
      ? fs.readdirSync(path.join(__dirname, dir)).map((name) => path.join(__dirname, dir, name))
      : [],
  )
  .filter((projectDir) => fs.existsSync(path.join(projectDir, 'jest.config.js')));

module.exports = {
  globalSetup: preset.globalSetup,
  globalTeardown: preset.globalTeardown,
  transform: preset.transform,
  transformIgnorePatterns: preset.transformIgnorePatterns,
  // Global options (Jest ignores them inside project configs).
  testTimeout: preset.testTimeout,
  projects,
};
