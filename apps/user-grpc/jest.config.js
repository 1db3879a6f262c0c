module.exports = { displayName: 'user-grpc', preset: '../../jest.preset.js', rootDir: __dirname };
