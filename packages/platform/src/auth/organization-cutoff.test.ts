import { Redis } from 'ioredis';
import type { OrganizationTokenCutoff, RevocationSubject } from './organization-cutoff';
import { MemoryRevocationList, RedisRevocationList, type RevocationList } from './revocation';

const ORG = '00000000-0000-4000-8000-00000000000a';
const OTHER_ORG = '00000000-0000-4000-8000-00000000000b';
const USER = '00000000-0000-4000-8000-000000000001';
const OTHER_USER = '00000000-0000-4000-8000-000000000002';
/** The change happened 400 ms into this second. */
const SECOND = 1_700_000_000;
const CHANGED_AT_MS = SECOND * 1000 + 400;

const lists: [string, () => RevocationList][] = [['memory', () => new MemoryRevocationList(60)]];
if (process.env.REDIS_URL) {
  const redis = new Redis(process.env.REDIS_URL);
  afterAll(() => redis.quit());
  // Keys of this run's own, gone after the 60 s retention.
  lists.push([
    'redis',
    () =>
      new RedisRevocationList(
        redis,
        60,
        `bastion:test:${Date.now()}:${Math.random().toString(36).slice(2)}:`,
      ),
  ]);
}

const token = (
  organizationId: string | null,
  userId: string,
  role: RevocationSubject['role'],
  issuedAt: number,
): RevocationSubject => ({
  userId,
  sessionId: '00000000-0000-4000-8000-0000000000ff',
  issuedAt,
  organizationId,
  role,
});

type Row = [string, RevocationSubject, boolean];

/** Written by hand from the rule: same organization (and member), iat no later than the change's second, another role. */
const DEMOTED_TO_VIEWER: Row[] = [
  ['an ADMIN token of the member issued before', token(ORG, USER, 'ADMIN', SECOND - 1), true],
  ['an ADMIN token issued in the second of the change', token(ORG, USER, 'ADMIN', SECOND), true],
  ['an ADMIN token issued the second after', token(ORG, USER, 'ADMIN', SECOND + 1), false],
  [
    'a VIEWER token (the new role) issued in the same second',
    token(ORG, USER, 'VIEWER', SECOND),
    false,
  ],
  ['a personal token of the member', token(null, USER, null, SECOND - 1), false],
  [
    "the member's token for another organization",
    token(OTHER_ORG, USER, 'ADMIN', SECOND - 1),
    false,
  ],
  ["another member's ADMIN token", token(ORG, OTHER_USER, 'ADMIN', SECOND - 1), false],
];
const REMOVED: Row[] = [
  ['a VIEWER token issued before', token(ORG, USER, 'VIEWER', SECOND - 1), true],
  ['an EDITOR token issued in the same second', token(ORG, USER, 'EDITOR', SECOND), true],
  ['a personal token issued before', token(null, USER, null, SECOND - 1), false],
];
const ORGANIZATION_DELETED: Row[] = [
  ["any member's ADMIN token issued before", token(ORG, USER, 'ADMIN', SECOND - 1), true],
  [
    "another member's VIEWER token in the same second",
    token(ORG, OTHER_USER, 'VIEWER', SECOND),
    true,
  ],
  ['a token for another organization', token(OTHER_ORG, USER, 'ADMIN', SECOND - 1), false],
  ['a personal token', token(null, USER, null, SECOND - 1), false],
];

describe.each(lists)('organization cut-offs in the %s revocation list', (_name, make) => {
  const cases: [string, OrganizationTokenCutoff, Row[]][] = [
    [
      'demotion to VIEWER',
      { organizationId: ORG, userId: USER, role: 'VIEWER', changedAtMs: CHANGED_AT_MS },
      DEMOTED_TO_VIEWER,
    ],
    [
      'removal',
      { organizationId: ORG, userId: USER, role: null, changedAtMs: CHANGED_AT_MS },
      REMOVED,
    ],
    [
      'deleted organization',
      { organizationId: ORG, userId: null, role: null, changedAtMs: CHANGED_AT_MS },
      ORGANIZATION_DELETED,
    ],
  ];

  it.each(cases)('%s voids exactly the stale claims', async (_case, cutoff, rows) => {
    const list = make();
    await list.revokeOrganizationTokens(cutoff);
    const answers = await Promise.all(
      rows.map(async ([label, subject]) => [label, await list.isRevoked(subject)]),
    );
    expect(answers).toEqual(rows.map(([label, , expected]) => [label, expected]));
  });

  it('keeps the latest change of a member, whatever order they arrive in', async () => {
    const list = make();
    const member = { organizationId: ORG, userId: USER };
    await list.revokeOrganizationTokens({ ...member, role: 'VIEWER', changedAtMs: CHANGED_AT_MS });
    await list.revokeOrganizationTokens({
      ...member,
      role: 'ADMIN',
      changedAtMs: CHANGED_AT_MS + 10_000,
    });
    // Arrives late: older than the promotion, so it changes nothing.
    await list.revokeOrganizationTokens({
      ...member,
      role: 'EDITOR',
      changedAtMs: CHANGED_AT_MS + 5_000,
    });
    expect(await list.isRevoked(token(ORG, USER, 'VIEWER', SECOND + 5))).toBe(true);
    expect(await list.isRevoked(token(ORG, USER, 'EDITOR', SECOND + 5))).toBe(true);
    expect(await list.isRevoked(token(ORG, USER, 'ADMIN', SECOND + 5))).toBe(false);
    expect(await list.isRevoked(token(ORG, USER, 'VIEWER', SECOND + 11))).toBe(false);
  });
});
