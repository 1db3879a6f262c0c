module.exports = { displayName: 'data-access', preset: '../../jest.preset.js', rootDir: __dirname };
