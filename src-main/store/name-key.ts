/** The key that makes names unique (and matchable) regardless of case, Unicode form and surrounding spaces. */
export function nameKey(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}
