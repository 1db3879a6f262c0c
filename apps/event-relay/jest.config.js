module.exports = { displayName: 'event-relay', preset: '../../jest.preset.js', rootDir: __dirname };
