import type { Socket } from 'node:net';

const STARTTLS_OID = '1.3.6.1.4.1.1466.20037';

/** The BER bytes of an LDAP ExtendedRequest for StartTLS with message id 1. */
export function startTlsRequest(): Buffer {
  const oid = Buffer.from(STARTTLS_OID, 'latin1');
  const name = Buffer.concat([Buffer.from([0x80, oid.length]), oid]);
  const op = Buffer.concat([Buffer.from([0x77, name.length]), name]);
  const body = Buffer.concat([Buffer.from([0x02, 0x01, 0x01]), op]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** Reads a BER length at `at`; returns [length, bytes used] or null when more data is needed. */
function readLength(buf: Buffer, at: number): [number, number] | null {
  if (at >= buf.length) return null;
  const first = buf[at];
  if (first < 0x80) return [first, 1];
  const n = first & 0x7f;
  if (n === 0 || n > 4) throw new Error('unsupported BER length');
  if (at + n >= buf.length) return null;
  let len = 0;
  for (let i = 1; i <= n; i++) len = len * 256 + buf[at + i];
  return [len, 1 + n];
}

/** Parses the StartTLS ExtendedResponse; returns the LDAP result code, or null while incomplete. */
export function parseStartTlsResponse(buf: Buffer): number | null {
  if (buf.length < 2) return null;
  if (buf[0] !== 0x30) throw new Error('not an LDAP message');
  const outer = readLength(buf, 1);
  if (!outer) return null;
  const start = 1 + outer[1];
  if (buf.length < start + outer[0]) return null;
  let p = start;
  if (buf[p] !== 0x02) throw new Error('missing message id');
  const idLen = readLength(buf, p + 1)!;
  p += 1 + idLen[1] + idLen[0];
  if (buf[p] !== 0x78) throw new Error('not an ExtendedResponse');
  const opLen = readLength(buf, p + 1)!;
  p += 1 + opLen[1];
  if (buf[p] !== 0x0a) throw new Error('missing result code');
  const codeLen = readLength(buf, p + 1)!;
  let code = 0;
  for (let i = 0; i < codeLen[0]; i++) code = code * 256 + buf[p + 1 + codeLen[1] + i];
  return code;
}

/**
 * Asks for StartTLS on a plain socket and resolves with the LDAP result code (0 = go ahead).
 * Used by the doctor so it can inspect the certificate itself; the LDAP client does its own StartTLS.
 */
export function negotiateStartTls(socket: Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        const code = parseStartTlsResponse(buf);
        if (code === null) return;
        cleanup();
        resolve(code);
      } catch (err) {
        cleanup();
        reject(err);
      }
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      cleanup();
      reject(Object.assign(new Error('Connection closed during StartTLS'), { code: 'ECONNRESET' }));
    };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.write(startTlsRequest());
  });
}
