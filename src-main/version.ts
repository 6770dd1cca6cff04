/** The app's version, shown in the UI and by `ldap-sync --version`. */
export const APP_VERSION = '0.1.0';
