import type { TierRow } from '@bastion/schema';

/**
 * The oracle of the tier tests, written by hand from docs/api.md "Tiers" and docs/architecture.md "One request" and deliberately
 * not from the platform's checkTier: who passes each tier. The field's tier, scopes and owner come
 * from the reviewed table schema/tiers.md, so a wrong tier in the SDL or a wrong rule in the
 * platform both fail the matrix.
 */
export type Caller =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      verified: boolean;
      /** the user the owner property of the parent names */ owner: boolean;
    }
  | { kind: 'service'; scopes: readonly string[] };

const PASS = null;
/** A service passes an AUTHENTICATED or VERIFIED field only when the field lists scopes and it holds them all. */
const IF_FIELD_GRANTS_SERVICES = 'scoped';

type Column =
  'anonymous' | 'unverified user' | 'verified user' | 'service with the scopes' | 'service without';
type Outcome = string | null;

const RULES: Record<string, Record<Column, Outcome>> = {
  PUBLIC: {
    anonymous: PASS,
    'unverified user': PASS,
    'verified user': PASS,
    'service with the scopes': PASS,
    'service without': PASS,
  },
  AUTHENTICATED: {
    anonymous: 'UNAUTHENTICATED',
    'unverified user': PASS,
    'verified user': PASS,
    'service with the scopes': IF_FIELD_GRANTS_SERVICES,
    'service without': 'FORBIDDEN',
  },
  VERIFIED: {
    anonymous: 'UNAUTHENTICATED',
    'unverified user': 'EMAIL_NOT_VERIFIED',
    'verified user': PASS,
    'service with the scopes': IF_FIELD_GRANTS_SERVICES,
    'service without': 'FORBIDDEN',
  },
  INTERNAL: {
    anonymous: 'UNAUTHENTICATED',
    'unverified user': 'FORBIDDEN',
    'verified user': 'FORBIDDEN',
    'service with the scopes': PASS,
    'service without': 'FORBIDDEN',
  },
};

function columnOf(row: TierRow, caller: Caller): Column {
  if (caller.kind === 'anonymous') return 'anonymous';
  if (caller.kind === 'user') return caller.verified ? 'verified user' : 'unverified user';
  return row.scopes.every((s) => caller.scopes.includes(s))
    ? 'service with the scopes'
    : 'service without';
}

/** The code the field must be refused with for this caller, or null when its tier lets the caller through. */
export function expectedRefusal(row: TierRow, caller: Caller): string | null {
  const rule = RULES[row.tier];
  if (!rule)
    throw new Error(
      `schema/tiers.md: ${row.subgraph} ${row.field} has tier ${row.tier}, which no rule covers`,
    );
  const outcome = rule[columnOf(row, caller)];
  if (outcome === IF_FIELD_GRANTS_SERVICES) return row.scopes.length > 0 ? PASS : 'FORBIDDEN';
  // Owner rule: of the users the tier lets through, only the one the parent names (services are not users).
  if (outcome === PASS && row.owner && caller.kind === 'user' && !caller.owner) return 'FORBIDDEN';
  return outcome;
}

/** The reviewed table's row for a field, failing loudly when the table has none (regenerate and review it). */
export function rowFor(rows: TierRow[], subgraph: string, field: string): TierRow {
  const row = rows.find((r) => r.subgraph === subgraph && r.field === field);
  if (!row)
    throw new Error(
      `schema/tiers.md has no row for ${subgraph} ${field}: run \`npm run tiers:table\` and review the diff`,
    );
  return row;
}
