import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|tsx)$/.test(name)) out.push(rel);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
}

/**
 * What each folder of src-main may import from the others (its own files always). '.' stands for
 * the files at the root of src-main (the app's wiring: index.ts, app-context.ts, window.ts, ...).
 * Lower layers first: a folder lists only folders below it.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  native: [],
  directory: [],
  store: ['directory', 'native'],
  secrets: ['store', 'native'],
  // threads/: how a worker thread is started (from sources or a build); imports nothing of ours.
  threads: [],
  ldap: ['directory', 'native', 'threads'],
  scripts: ['directory', 'native', 'threads'],
  // workers/: the worker threads' entry points; nothing imports them (builds and start-worker find them
  // by name). The apply worker runs the apply stage (sync/apply-job.ts) on its own store connection.
  workers: ['directory', 'ldap', 'native', 'scripts', 'store', 'sync', 'threads'],
  snapshots: ['directory', 'ldap', 'native', 'store'],
  groups: ['directory', 'ldap', 'native', 'snapshots', 'store'],
  preview: ['directory', 'ldap', 'native', 'scripts', 'snapshots', 'store'],
  // auth/: sign-in and registration (a search and a bind as the user, the scripts on their entry, local passwords).
  auth: ['directory', 'ldap', 'native', 'preview', 'scripts', 'store', 'sync'],
  sync: ['directory', 'ldap', 'native', 'scripts', 'snapshots', 'store', 'threads'],
  services: ['auth', 'directory', 'groups', 'ldap', 'native', 'preview', 'scripts', 'secrets', 'snapshots', 'store', 'sync'],
  config: ['directory', 'ldap', 'native', 'scripts', 'secrets', 'services', 'store'],
  ipc: ['.', 'directory', 'scripts', 'services', 'store', 'sync'],
  cli: ['.', 'config', 'directory', 'ldap', 'native', 'preview', 'scripts', 'secrets', 'services', 'snapshots', 'store', 'sync'],
  '.': ['cli', 'config', 'directory', 'ipc', 'ldap', 'native', 'preview', 'scripts', 'secrets', 'services', 'snapshots', 'store', 'sync'],
};

/** The src-main folder of a path relative to src-main ('.' for its root files). */
const folderOf = (rel: string) => (rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '.');

describe('layering of src-main', () => {
  it('lists every folder of src-main in the allow-list', () => {
    const folders = readdirSync(join(ROOT, 'src-main')).filter((n) => statSync(join(ROOT, 'src-main', n)).isDirectory());
    expect(folders.filter((f) => !(f in MAY_IMPORT))).toEqual([]);
  });

  it('lets each folder import only the folders below it', () => {
    const bad: string[] = [];
    for (const file of sources('src-main')) {
      const from = folderOf(relative('src-main', file));
      for (const spec of imports(file)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(join(ROOT, 'src-main'), join(ROOT, dirname(file), spec));
        if (target.startsWith('..')) continue; // src-shared and the like: held by the tests below
        const to = folderOf(target);
        if (to === from || MAY_IMPORT[from]?.includes(to)) continue;
        bad.push(`Bad layering: ${file} imports src-main/${target}; ${from} may import only [${(MAY_IMPORT[from] ?? []).join(', ')}]`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('keeps the rules of the issue: ldap/ does not import preview/, sync/ does not import services/', () => {
    expect(MAY_IMPORT.ldap).not.toContain('preview');
    expect(MAY_IMPORT.sync).not.toContain('services');
  });

  it('lets nothing import the worker entries: they are started by name through threads/start-worker.ts', () => {
    expect(Object.entries(MAY_IMPORT).filter(([, allowed]) => allowed.includes('workers')).map(([from]) => from)).toEqual([]);
  });
});

// The process boundaries, held by a test instead of a lint plugin (VS Code's layering rule).
describe('layering', () => {
  it('keeps src-shared free of Electron, Node and React, and of the other layers', () => {
    const bad = sources('src-shared').flatMap((f) =>
      imports(f)
        .filter((i) => /^(electron|react|react-dom)(\/|$)|^node:|^(fs|path|os|net|tls|crypto|child_process)$/.test(i) || /src-(main|renderer)/.test(i))
        .map((i) => `${f} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('keeps the renderer away from src-main, Node and Electron', () => {
    const bad = sources('src-renderer').flatMap((f) =>
      imports(f)
        .filter((i) => /src-main/.test(i) || /^node:|^electron(\/|$)/.test(i))
        .map((i) => `${f} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it('lets components use the typed client, never IPC channel strings', () => {
    const bad = sources('src-renderer').filter((f) => /lss:(invoke|event)|ipcRenderer/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(bad.map((f) => relative(ROOT, join(ROOT, f)))).toEqual([]);
  });

  it('keeps the preload down to the typed api: invoke and on, over the two channels', () => {
    const text = readFileSync(join(ROOT, 'src-main/preload.ts'), 'utf8');
    expect(text.match(/exposeInMainWorld/g)).toHaveLength(1);
    expect(text).toContain("exposeInMainWorld('api', api)");
    expect(text).not.toMatch(/ipcRenderer\.send\b|require\(/);
  });
});
