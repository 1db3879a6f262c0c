module.exports = { displayName: 'abuse-controls', preset: '../../jest.preset.js', rootDir: __dirname };
