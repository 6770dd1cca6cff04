// Byte forwarder between 127.0.0.1 in the test's network namespace and a Samba DC in its own one.
// Pathname Unix sockets live in the file system, not in a network namespace, so they cross over:
//   inner (runs inside the DC's namespace):  SOCKET_DIR/<port>.sock  ->  127.0.0.1:<port>
//   outer (runs in the test's namespace):    127.0.0.1:<random>      ->  SOCKET_DIR/<port>.sock
// The outer side prints {"<port>": <random port>} once it listens. Plain JS: it runs with bare node.
import net from 'node:net';
import path from 'node:path';
import fs from 'node:fs';

const [mode, dir, ...ports] = process.argv.slice(2);

function pipe(a, b) {
  a.pipe(b); b.pipe(a);
  const close = () => { a.destroy(); b.destroy(); };
  a.on('error', close); b.on('error', close); a.on('close', close); b.on('close', close);
}

function listen(server, where) {
  return new Promise((resolve, reject) => { server.once('error', reject); server.listen(where, () => resolve(server)); });
}

if (mode === 'inner') {
  for (const port of ports) {
    const sock = path.join(dir, `${port}.sock`);
    fs.rmSync(sock, { force: true });
    await listen(net.createServer((c) => pipe(c, net.connect(Number(port), '127.0.0.1'))), sock);
  }
  fs.writeFileSync(path.join(dir, 'inner.ready'), String(process.pid));
} else if (mode === 'outer') {
  const out = {};
  for (const port of ports) {
    const server = net.createServer((c) => pipe(c, net.connect(path.join(dir, `${port}.sock`))));
    await listen(server, { host: '127.0.0.1', port: 0 });
    out[port] = server.address().port;
  }
  process.stdout.write(JSON.stringify(out) + '\n');
} else {
  process.stderr.write('usage: samba-forward.mjs inner|outer DIR PORT...\n');
  process.exit(2);
}
// Both sides end with their parent: the rig kills them, and stdin closing is a second signal.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
