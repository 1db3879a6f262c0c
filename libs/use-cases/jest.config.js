module.exports = { displayName: 'use-cases', preset: '../../jest.preset.js', rootDir: __dirname };
