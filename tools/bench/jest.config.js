// Unit tests of the bench's own logic only; the benchmark itself never runs under Jest (npm run bench).
module.exports = { displayName: 'bench', preset: '../../jest.preset.js', rootDir: __dirname };
