type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });

// jose, an independent JOSE implementation, is a test dependency only: tests sign and decode with
// it to check the platform's own tokens (jsonwebtoken) and claims (node:crypto HMAC). ESM-only,
// so loaded with import() (jest compiles it to CommonJS), once per test file.
let library: Promise<Jose> | undefined;
export const loadJose = (): Promise<Jose> => (library ??= import('jose'));
