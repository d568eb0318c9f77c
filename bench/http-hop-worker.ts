/**
 * Bare Node HTTP for round-trips.ts, in its own process as the gateway and a service are:
 * `server` answers every request with a small JSON body; `proxy <port>` forwards to it over
 * keep-alive connections. Started with fork(); sends its port over the IPC channel.
 */
import http from 'node:http';

const [role, target] = process.argv.slice(2);
const body = JSON.stringify({ id: '0192f0c4-7d2a-7c3e-9b1a-2f4d5e6a7b8c', status: 'UNDER_REVIEW', version: 3, title: 'x'.repeat(200) });
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

const server = http.createServer((req, res) => {
  if (role === 'server') {
    req.resume();
    req.on('end', () => res.setHeader('content-type', 'application/json').end(body));
    return;
  }
  const upstream = http.request({ port: Number(target), path: req.url, method: req.method, headers: req.headers, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  req.pipe(upstream);
});
server.listen(0, '127.0.0.1', () => process.send?.((server.address() as { port: number }).port));
