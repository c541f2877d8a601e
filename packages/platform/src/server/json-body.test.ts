import { MAX_JSON_DEPTH, parseJsonBody, scanJsonDepth } from './json-body';

describe('scanJsonDepth', () => {
  // Expected depths counted by hand.
  it.each([
    ['1', 0],
    ['"[[[{{{"', 0],
    ['[]', 1],
    ['{"a":[1,{"b":[]}]}', 4],
    ['["\\"[[", ["]"]]', 2],
    ['{"k\\\\":[["\\\\"]]}', 3],
    ['"\\\\\\"[" ', 0],
  ])('%s nests %i deep', (text, depth) => {
    expect(scanJsonDepth(text)).toEqual({ depth, scanned: text.length, tooDeep: false });
    expect(scanJsonDepth(Buffer.from(text))).toEqual({
      depth,
      scanned: text.length,
      tooDeep: false,
    });
  });

  it('reads multi-byte UTF-8 without mistaking its bytes for brackets or quotes', () => {
    const text = '{"é€😀":["ü[","]"]}';
    expect(scanJsonDepth(Buffer.from(text))).toMatchObject({ depth: 2, tooDeep: false });
  });

  it('stops at the first bracket over the limit: 400,000 levels cost 65 characters read', () => {
    const prefix = '{"query":"{ __typename }","variables":{"unused":';
    const body = Buffer.from(`${prefix}${'['.repeat(400_000)}${']'.repeat(400_000)}}}`);
    const scan = scanJsonDepth(body);
    expect(scan.tooDeep).toBe(true);
    // The prefix holds 2 objects; the limit is reached 63 arrays into the value.
    expect(scan.scanned).toBe(prefix.length + (MAX_JSON_DEPTH + 1 - 2));
  });

  it('allows exactly the limit', () => {
    const text = `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`;
    expect(scanJsonDepth(text).tooDeep).toBe(false);
    expect(scanJsonDepth(`[${text}]`).tooDeep).toBe(true);
  });
});

describe('parseJsonBody', () => {
  it('refuses too deep with reason JSON_TOO_DEEP and never calls JSON.parse', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect(() => parseJsonBody(Buffer.from('['.repeat(100_000)))).toThrow(
        expect.objectContaining({
          status: 400,
          code: 'BAD_USER_INPUT',
          extensions: { reason: 'JSON_TOO_DEEP' },
        }),
      );
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  it('refuses malformed JSON with reason INVALID_JSON, and parses the rest', () => {
    expect(() => parseJsonBody('{"a":')).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', extensions: { reason: 'INVALID_JSON' } }),
    );
    expect(parseJsonBody(Buffer.from('{"a":[1,"]"]}'))).toEqual({ a: [1, ']'] });
    expect(parseJsonBody('')).toBeUndefined();
  });
});
