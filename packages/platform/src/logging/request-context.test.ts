import type { IncomingMessage } from 'node:http';
import { requestIdOf } from './request-context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const withHeader = (value: string | string[] | undefined) =>
  ({ headers: value === undefined ? {} : { 'x-request-id': value } }) as IncomingMessage;

describe('requestIdOf: a caller-chosen x-request-id', () => {
  it.each(['a', 'client-chosen-0042', 'trace.2026_12_07-01', 'x'.repeat(64)])('keeps %s', (id) =>
    expect(requestIdOf(withHeader(id))).toBe(id),
  );

  it.each([
    ['a forged log line', 'abc\n{"level":50,"msg":"forged"}'],
    ['markup', '<script>alert(1)</script>'],
    ['spaces', 'two words'],
    ['too long', 'x'.repeat(65)],
    ['empty', ''],
    ['non-ASCII', 'idé'],
    ['a JSON object', '{"$ne":null}'],
    ['two headers', ['first-id', 'second-id']],
    ['none', undefined],
  ])('replaces %s by a new UUID', (_name, value) => {
    expect(requestIdOf(withHeader(value))).toMatch(UUID);
  });
});
