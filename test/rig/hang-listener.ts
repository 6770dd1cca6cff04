import net from 'node:net';
import { freePort } from './ports';

/** A TCP listener that accepts connections and never sends a byte. */
export interface HangListener {
  /** Port on 127.0.0.1. */
  port: number;
  /** `ldap://127.0.0.1:<port>` for convenience. */
  url: string;
  /** Number of connections accepted so far. */
  readonly connections: number;
  /** Destroys all accepted sockets and stops listening. */
  close(): Promise<void>;
}

/** Starts a listener on 127.0.0.1 that accepts TCP connections, reads and discards, never answers. */
export function startHangListener(): Promise<HangListener> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('data', () => {}); // swallow requests (e.g. an LDAP BindRequest or a TLS ClientHello)
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address() as net.AddressInfo;
      resolve({
        port: addr.port,
        url: `ldap://127.0.0.1:${addr.port}`,
        get connections() {
          return accepted;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A port on 127.0.0.1 with nothing listening (connections get ECONNREFUSED). */
export function closedPort(): Promise<number> {
  return freePort();
}
