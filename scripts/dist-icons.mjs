#!/usr/bin/env node
/**
 * Renders resources/icon.svg into the icons the installers need, and is run by hand when the SVG
 * changes (the outputs are committed, so `npm run dist` needs no browser):
 * - resources/icons/<N>x<N>.png for N in 16..1024 (Linux: deb and AppImage take the folder);
 * - resources/icon.png (1024 px, the fallback electron-builder converts from);
 * - resources/icon.icns (macOS: PNG-encoded entries 16..1024 px);
 * - resources/icon.ico (Windows: PNG-encoded entries 16..256 px).
 * Rendering uses headless Chromium (`CHROMIUM` or /usr/bin/chromium) with a transparent background.
 *
 * Usage: node scripts/dist-icons.mjs
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESOURCES = join(ROOT, 'resources');
const SVG = join(RESOURCES, 'icon.svg');
const SIZES = [16, 32, 48, 64, 128, 256, 512, 1024];
/** ICNS entry types holding PNG data, by pixel size (Apple's icns type codes). */
const ICNS_TYPES = { 16: 'icp4', 32: 'icp5', 64: 'icp6', 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' };
const ICO_SIZES = [16, 32, 48, 64, 128, 256];

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`Chromium was not found at ${chromium}: install it (apt-get install chromium) or set CHROMIUM to its path.`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'ldap-sync-icons-'));
try {
  const pngs = new Map(SIZES.map((size) => [size, render(size)]));
  mkdirSync(join(RESOURCES, 'icons'), { recursive: true });
  for (const [size, png] of pngs) writeFileSync(join(RESOURCES, 'icons', `${size}x${size}.png`), png);
  copyFileSync(join(RESOURCES, 'icons', '1024x1024.png'), join(RESOURCES, 'icon.png'));
  writeFileSync(join(RESOURCES, 'icon.icns'), icns(Object.entries(ICNS_TYPES).map(([size, type]) => [type, pngs.get(Number(size))])));
  writeFileSync(join(RESOURCES, 'icon.ico'), ico(ICO_SIZES.map((size) => [size, pngs.get(size)])));
  console.log(`Wrote resources/icons/*.png, icon.png, icon.icns and icon.ico from ${SVG}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** A size x size PNG of the SVG, screenshotted by headless Chromium on a transparent page. */
function render(size) {
  const page = join(work, `icon-${size}.html`);
  const out = join(work, `icon-${size}.png`);
  writeFileSync(
    page,
    `<!doctype html><style>html,body{margin:0;background:transparent}img{display:block;width:${size}px;height:${size}px}</style><img src="${pathToFileURL(SVG)}">`,
  );
  const result = spawnSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${join(work, 'profile')}`,
      '--hide-scrollbars',
      '--force-device-scale-factor=1',
      '--default-background-color=00000000',
      `--window-size=${size},${size}`,
      `--screenshot=${out}`,
      pathToFileURL(page).toString(),
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (!existsSync(out)) {
    console.error(`Chromium did not render the ${size}px icon (exit ${result.status ?? result.signal}): ${(result.stderr ?? '').trim().split('\n').pop()}`);
    process.exit(1);
  }
  return readFileSync(out);
}

/** An Apple icon image: 'icns', total length, then (type, length, PNG) entries; lengths include headers. */
function icns(entries) {
  const parts = entries.map(([type, png]) => {
    const header = Buffer.alloc(8);
    header.write(type, 0, 'ascii');
    header.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([header, png]);
  });
  const header = Buffer.alloc(8);
  header.write('icns', 0, 'ascii');
  header.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4);
  return Buffer.concat([header, ...parts]);
}

/** A Windows icon: ICONDIR, one 16-byte ICONDIRENTRY per image (0 means 256 px), then the PNGs. */
function ico(entries) {
  const dir = Buffer.alloc(6);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2); // 1 = icon
  dir.writeUInt16LE(entries.length, 4);
  let offset = 6 + 16 * entries.length;
  const records = entries.map(([size, png]) => {
    const record = Buffer.alloc(16);
    record.writeUInt8(size >= 256 ? 0 : size, 0);
    record.writeUInt8(size >= 256 ? 0 : size, 1);
    record.writeUInt16LE(1, 4); // colour planes
    record.writeUInt16LE(32, 6); // bits per pixel
    record.writeUInt32LE(png.length, 8);
    record.writeUInt32LE(offset, 12);
    offset += png.length;
    return record;
  });
  return Buffer.concat([dir, ...records, ...entries.map(([, png]) => png)]);
}
