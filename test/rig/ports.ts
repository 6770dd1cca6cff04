import net from 'node:net';

/**
 * Returns a TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close).
 * Another process could grab it before use; callers that bind it should retry on EADDRINUSE.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('no TCP address'));
      srv.close(() => resolve(addr.port));
    });
  });
}
