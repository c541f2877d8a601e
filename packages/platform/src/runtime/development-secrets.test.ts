import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDevelopmentSecrets } from './development-secrets';

describe('development secrets', () => {
  const dataDir = () => mkdtempSync(join(tmpdir(), 'bastion-secrets-'));

  it('generates each unset secret once under DATA_DIR, readable by its owner only, and reuses it', () => {
    const DATA_DIR = dataDir();
    const first = withDevelopmentSecrets({ DATA_DIR }, [
      'INTERNAL_CLAIMS_SECRET',
      'REFRESH_TOKEN_SECRET',
    ]);
    expect(first.generated).toEqual(['INTERNAL_CLAIMS_SECRET', 'REFRESH_TOKEN_SECRET']);
    expect(Buffer.byteLength(first.env.INTERNAL_CLAIMS_SECRET!)).toBeGreaterThanOrEqual(32);
    expect(first.env.INTERNAL_CLAIMS_SECRET).not.toBe(first.env.REFRESH_TOKEN_SECRET);
    expect(statSync(join(DATA_DIR, 'development-internal-claims-secret')).mode & 0o777).toBe(0o600);
    // A second service started separately on the same DATA_DIR gets the same key.
    expect(
      withDevelopmentSecrets({ DATA_DIR }, ['INTERNAL_CLAIMS_SECRET']).env.INTERNAL_CLAIMS_SECRET,
    ).toBe(first.env.INTERNAL_CLAIMS_SECRET);
  });

  it('leaves given secrets (NAME or NAME_FILE) alone and never fills anything in production', () => {
    const DATA_DIR = dataDir();
    const file = join(DATA_DIR, 'given');
    writeFileSync(file, 'from a file');
    const given = withDevelopmentSecrets(
      { DATA_DIR, JWT_SECRET: 'given', INTERNAL_CLAIMS_SECRET_FILE: file },
      ['JWT_SECRET', 'INTERNAL_CLAIMS_SECRET'],
    );
    expect(given.generated).toEqual([]);
    expect(given.env).toEqual({ DATA_DIR, JWT_SECRET: 'given', INTERNAL_CLAIMS_SECRET_FILE: file });
    const production = withDevelopmentSecrets({ DATA_DIR, NODE_ENV: 'production' }, [
      'INTERNAL_CLAIMS_SECRET',
    ]);
    expect(production).toEqual({ env: { DATA_DIR, NODE_ENV: 'production' }, generated: [] });
  });
});
