import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { commonConfig, durationSeconds, port } from './common';
import { ConfigError, loadConfig } from './load-config';

const schema = z.object({ ...commonConfig, PORT: port(4000), TTL: durationSeconds('15m') });
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
    const config = loadConfig(schema, { JWT_SECRET: SECRET });
    expect(config).toMatchObject({ PORT: 4000, TTL: 900, NODE_ENV: 'development', DATA_DIR: './data' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses a JWT_SECRET under 32 bytes', () => {
    expect(problemsOf({ JWT_SECRET: 'short' })).toEqual(['JWT_SECRET: must be at least 32 bytes']);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({ PORT: 'eighty', TTL: 'soon', NODE_ENV: 'staging' });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/JWT_SECRET/);
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/TTL: "soon" is not a duration/);
    expect(problems.join('\n')).toMatch(/NODE_ENV/);
  });

  it('reads NAME_FILE for its own settings only, and refuses both forms at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bastion-config-'));
    writeFileSync(join(dir, 'secret'), `${SECRET}\n`);
    expect(loadConfig(schema, { JWT_SECRET_FILE: join(dir, 'secret'), OTHER_TOOL_FILE: '/nonexistent' }).JWT_SECRET).toBe(SECRET);
    expect(problemsOf({ JWT_SECRET: SECRET, JWT_SECRET_FILE: join(dir, 'secret') })).toEqual([
      'JWT_SECRET: set both JWT_SECRET and JWT_SECRET_FILE; keep one',
    ]);
    expect(problemsOf({ JWT_SECRET_FILE: join(dir, 'missing') })).toContain(`JWT_SECRET_FILE: cannot read file ${join(dir, 'missing')}`);
  });
});
