module.exports = { displayName: 'user-api', preset: '../../jest.preset.js', rootDir: __dirname };
