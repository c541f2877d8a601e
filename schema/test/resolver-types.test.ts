import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  appendFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SUBGRAPH_NAMES } from '@bastion/platform';

const ROOT = path.resolve(__dirname, '../..');
const SUBGRAPHS = SUBGRAPH_NAMES;
const generated = (name: string) => `subgraphs/${name}/src/generated/resolvers-types.ts`;

async function check(root: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [path.join(ROOT, 'scripts/check-codegen.mjs'), root],
      { cwd: ROOT },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

/** `npm run codegen`'s output is committed: CI fails when a schema changed without regenerating. */
describe('generated resolver types', () => {
  it('are fresh for every subgraph', async () => {
    const { code, output } = await check(ROOT);
    // One per subgraph, and the console's operation types (console/src/generated: three files).
    expect(output).toMatch(new RegExp(`${SUBGRAPHS.length + 3} generated files are fresh`));
    expect(code).toBe(0);
  });

  it("come from each schema.graphql with that subgraph's context", () => {
    const contexts: Record<string, string> = {
      auth: 'AuthContext',
      orgs: 'OrgsContext',
      credits: 'CreditsContext',
      ai: 'AiContext',
      webhooks: 'WebhooksContext',
    };
    for (const name of SUBGRAPHS) {
      const text = readFileSync(path.join(ROOT, generated(name)), 'utf8');
      expect(text).toContain(`import type { ${contexts[name]} } from '../context';`);
      expect(text).toMatch(/export type Resolvers<ContextType = \w+Context> = \{/);
      expect(text).toContain('DateTime: { input: Date; output: Date | string; }');
    }
  });

  describe('in a copy of the repository', () => {
    let copy: string;

    beforeAll(() => {
      copy = mkdtempSync(path.join(tmpdir(), 'bastion-codegen-'));
      cpSync(path.join(ROOT, 'codegen.ts'), path.join(copy, 'codegen.ts'));
      mkdirSync(path.join(copy, 'subgraphs'));
      cpSync(
        path.join(ROOT, 'subgraphs/registry.json'),
        path.join(copy, 'subgraphs/registry.json'),
      );
      for (const name of SUBGRAPHS) {
        mkdirSync(path.join(copy, `subgraphs/${name}/src/generated`), { recursive: true });
        cpSync(
          path.join(ROOT, `subgraphs/${name}/codegen.json`),
          path.join(copy, `subgraphs/${name}/codegen.json`),
        );
        cpSync(
          path.join(ROOT, `subgraphs/${name}/schema.graphql`),
          path.join(copy, `subgraphs/${name}/schema.graphql`),
        );
        cpSync(path.join(ROOT, generated(name)), path.join(copy, generated(name)));
      }
      // The console's operations are typed against the public supergraph.
      mkdirSync(path.join(copy, 'schema'));
      cpSync(
        path.join(ROOT, 'schema/supergraph.public.graphql'),
        path.join(copy, 'schema/supergraph.public.graphql'),
      );
      cpSync(path.join(ROOT, 'console/src'), path.join(copy, 'console/src'), { recursive: true });
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    });
    afterAll(() => rmSync(copy, { recursive: true, force: true }));

    it('the check passes on the copy as it is', async () => {
      expect((await check(copy)).code).toBe(0);
    });

    it('fails, naming the files, after a schema change or a hand edit', async () => {
      appendFileSync(
        path.join(copy, 'subgraphs/credits/schema.graphql'),
        '\nextend type Query { codegenProbe: Int @tier(level: PUBLIC) }\n',
      );
      const ai = path.join(copy, generated('ai'));
      writeFileSync(
        ai,
        readFileSync(ai, 'utf8').replace('generateText?:', 'generateTextRenamed?:'),
      );
      const { code, output } = await check(copy);
      expect(code).toBe(1);
      expect(output).toContain(generated('credits'));
      expect(output).toContain(generated('ai'));
      expect(output).not.toContain(generated('auth'));
      expect(output).not.toContain(generated('orgs'));
    });
  });
});
