/**
 * Stands in for the `got` HTTP client inside Electronegativity during `npm run audit:electron`
 * (scripts/audit-electron.mjs): every request fails at once, so the audit never reaches the network.
 */
function offline() {
  return Promise.reject(new Error('network access is disabled for the audit'));
}
offline.head = offline;
offline.get = offline;
module.exports = offline;
module.exports.default = offline;
