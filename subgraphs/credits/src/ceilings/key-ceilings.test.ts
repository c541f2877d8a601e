import { apiKeyProblems, nextPeriodStart, periodStart, type CeilingPeriod } from './key-ceilings';

// Written by hand from the calendar: UTC days and calendar months, whatever the local zone.
const PERIODS: [CeilingPeriod, string, string, string][] = [
  // period, instant, period start, next period start
  ['DAY', '2026-12-07T13:05:00.000Z', '2026-12-07T00:00:00.000Z', '2026-12-08T00:00:00.000Z'],
  ['DAY', '2026-12-31T23:59:59.999Z', '2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
  ['DAY', '2027-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2027-01-02T00:00:00.000Z'],
  // 01:30 at UTC+5 is still the previous UTC day.
  ['DAY', '2026-12-07T01:30:00.000+05:00', '2026-12-06T00:00:00.000Z', '2026-12-07T00:00:00.000Z'],
  ['DAY', '2024-02-28T23:00:00.000-02:00', '2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
  ['MONTH', '2026-12-31T23:59:59.999Z', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
  ['MONTH', '2027-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z'],
  ['MONTH', '2024-02-29T12:00:00.000Z', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
  [
    'MONTH',
    '2026-01-31T22:00:00.000-03:00',
    '2026-02-01T00:00:00.000Z',
    '2026-03-01T00:00:00.000Z',
  ],
];

describe('key ceiling periods (UTC)', () => {
  it.each(PERIODS)('%s at %s starts at %s, the next at %s', (period, at, start, next) => {
    const got = periodStart(period, new Date(at));
    expect(got.toISOString()).toBe(start);
    expect(nextPeriodStart(period, got).toISOString()).toBe(next);
  });
});

describe('the apiKey argument', () => {
  const id = '5b0e7c1a-3f0e-4a55-9d7e-2f8b4c6a1e90';
  it.each<[string, Record<string, unknown> | null, string[]]>([
    ['absent', null, []],
    ['a key without a ceiling', { id }, []],
    ['a daily ceiling', { id, creditCeiling: 50, ceilingPeriod: 'DAY' }, []],
    ['a ceiling of zero', { id, creditCeiling: 0, ceilingPeriod: 'MONTH' }, []],
    ['a malformed id', { id: 'key-1' }, ['apiKey.id']],
    [
      'a negative ceiling',
      { id, creditCeiling: -1, ceilingPeriod: 'DAY' },
      ['apiKey.creditCeiling'],
    ],
    [
      'an absurd ceiling',
      { id, creditCeiling: 1_000_001, ceilingPeriod: 'DAY' },
      ['apiKey.creditCeiling'],
    ],
    [
      'a fractional ceiling',
      { id, creditCeiling: 1.5, ceilingPeriod: 'DAY' },
      ['apiKey.creditCeiling'],
    ],
    ['a ceiling without its period', { id, creditCeiling: 10 }, ['apiKey.ceilingPeriod']],
    ['a period without a ceiling', { id, ceilingPeriod: 'DAY' }, ['apiKey.ceilingPeriod']],
    [
      'an unknown period',
      { id, creditCeiling: 10, ceilingPeriod: 'WEEK' },
      ['apiKey.ceilingPeriod'],
    ],
  ])('%s', (_name, key, fields) => {
    expect(Object.keys(apiKeyProblems(key as never)).sort()).toEqual(fields);
  });
});
