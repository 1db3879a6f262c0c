module.exports = { displayName: 'audit-cleanup-worker', preset: '../../jest.preset.js', rootDir: __dirname };
