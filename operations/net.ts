/** Small network helpers shared by the local PostgreSQL, the test harnesses and the playground. */
import net from 'node:net';

/** A TCP port free on 127.0.0.1 right now (the caller binds it soon after; another process could take it first). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port on 127.0.0.1'))));
    });
  });
}
