module.exports = { displayName: 'event-stream', preset: '../../jest.preset.js', rootDir: __dirname };
