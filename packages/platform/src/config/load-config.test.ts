import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  EVERY_TIME,
  claimsMasterConfig,
  claimsMasterProblems,
  commonConfig,
  durationSeconds,
  port,
} from './common';
import { ConfigError, loadConfig } from './load-config';

const schema = z
  .object({
    ...commonConfig,
    ...claimsMasterConfig,
    PORT: port(4000),
    TTL: durationSeconds('15m'),
  })
  .superRefine(claimsMasterProblems, EVERY_TIME);
const SECRET = 'a'.repeat(32);

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('returns typed, frozen values with defaults', () => {
    const config = loadConfig(schema, {});
    expect(config).toMatchObject({
      PORT: 4000,
      TTL: 900,
      NODE_ENV: 'development',
      DATA_DIR: './data',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses an INTERNAL_CLAIMS_SECRET under 32 bytes', () => {
    expect(problemsOf({ INTERNAL_CLAIMS_SECRET: 'short' })).toEqual([
      'INTERNAL_CLAIMS_SECRET: must be at least 32 bytes',
    ]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      TTL: 'soon',
      NODE_ENV: 'staging',
      INTERNAL_CLAIMS_SECRET: 'short',
    });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/INTERNAL_CLAIMS_SECRET/);
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/TTL: "soon" is not a duration/);
    expect(problems.join('\n')).toMatch(/NODE_ENV/);
  });

  it('requires INTERNAL_CLAIMS_SECRET in production, listed with the other problems', () => {
    expect(problemsOf({ NODE_ENV: 'production', PORT: 'eighty' })).toEqual([
      expect.stringMatching(/^PORT: /),
      expect.stringMatching(/^INTERNAL_CLAIMS_SECRET: required in production/),
    ]);
    expect(problemsOf({ NODE_ENV: 'production', INTERNAL_CLAIMS_SECRET: SECRET })).toEqual([]);
    expect(problemsOf({ NODE_ENV: 'development' })).toEqual([]);
  });

  it('reads NAME_FILE for its own settings only, and refuses both forms at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-config-'));
    writeFileSync(join(dir, 'secret'), `${SECRET}\n`);
    const fromFile = loadConfig(schema, {
      INTERNAL_CLAIMS_SECRET_FILE: join(dir, 'secret'),
      OTHER_TOOL_FILE: '/nonexistent',
    });
    expect(fromFile.INTERNAL_CLAIMS_SECRET).toBe(SECRET);
    expect(
      problemsOf({
        INTERNAL_CLAIMS_SECRET: SECRET,
        INTERNAL_CLAIMS_SECRET_FILE: join(dir, 'secret'),
      }),
    ).toEqual([
      'INTERNAL_CLAIMS_SECRET: set both INTERNAL_CLAIMS_SECRET and INTERNAL_CLAIMS_SECRET_FILE; keep one',
    ]);
    expect(problemsOf({ INTERNAL_CLAIMS_SECRET_FILE: join(dir, 'missing') })).toContain(
      `INTERNAL_CLAIMS_SECRET_FILE: cannot read file ${join(dir, 'missing')}`,
    );
  });
});
