module.exports = { displayName: 'grpc-contract', preset: '../../jest.preset.js', rootDir: __dirname };
