// The baseline: a bare Fastify route that parses the same JSON body and returns {ok:true}.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/verify', async () => ({ ok: true }));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${url}\n`);
process.on('message', (message) => {
  if (message !== 'usage' && message !== 'usage-after-gc') return;
  // --expose-gc is given by the bench: "usage-after-gc" collects garbage first.
  if (message === 'usage-after-gc') globalThis.gc?.();
  process.send?.({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
});
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
