/**
 * The renderer's Content Security Policy as window.ts sends it with every app:// response: the
 * policy of src-renderer/index.html's meta tag (a test keeps the two equal) plus `frame-ancestors`,
 * which only a header can carry. The header holds even if a page ever loses its meta tag; a page
 * under both gets the stricter of the two, so they must agree or the app breaks.
 */
export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Security headers added to every response of the app:// protocol (the CSP and no MIME sniffing). */
export const RENDERER_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': RENDERER_CSP,
  'X-Content-Type-Options': 'nosniff',
};
