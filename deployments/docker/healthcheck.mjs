// Container HEALTHCHECK for the images (Docker and Compose; Kubernetes uses its own probes).
//   node healthcheck.mjs <PORT_VARIABLE> <default port> [path]
// GETs http://127.0.0.1:<port><path> (path defaults to /health) and exits 0 on a 2xx answer, 1 on
// anything else, a refused connection, or no answer within HEALTHCHECK_TIMEOUT_MS (default 2000).
// The port comes from the same variable the app reads, so an image started with another port still
// checks the right listener. No shell and no curl in the image: node is all it needs.
const [portVariable, defaultPort, path = '/health'] = process.argv.slice(2);
if (!portVariable || !defaultPort) {
  console.error('usage: node healthcheck.mjs <PORT_VARIABLE> <default port> [path]');
  process.exit(2);
}
const port = process.env[portVariable] || defaultPort;
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS) || 2000;

try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) console.error(`${path} on port ${port} answered ${response.status}`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`${path} on port ${port}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
