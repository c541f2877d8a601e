import type { DataSource } from 'typeorm';
import { schemaOf } from '@bastion/platform';
import type { AssertionReplayStore } from './saml';
import type { SsoRequestEntity } from './sso.entities';

interface RequestRow {
  id: string;
  connection_id: string;
  redirect_uri: string;
  saml_request_id: string | null;
  oidc_nonce: string | null;
  oidc_code_verifier: string | null;
  created_at: Date | string;
  expires_at: Date | string;
  used_at: Date | string | null;
}

const toRequest = (row: RequestRow): SsoRequestEntity => ({
  id: row.id,
  connectionId: row.connection_id,
  redirectUri: row.redirect_uri,
  samlRequestId: row.saml_request_id,
  oidcNonce: row.oidc_nonce,
  oidcCodeVerifier: row.oidc_code_verifier,
  createdAt: new Date(row.created_at),
  expiresAt: new Date(row.expires_at),
  usedAt: row.used_at === null ? null : new Date(row.used_at),
});

/** sso_requests as the protocol routes use them: found by RelayState/state, then used once. */
export class SsoRequests {
  constructor(private readonly dataSource: DataSource) {}

  async find(id: string): Promise<SsoRequestEntity | null> {
    if (!id || id.length > 200) return null;
    const rows: RequestRow[] = await this.dataSource.query(
      `SELECT * FROM ${schemaOf(this.dataSource)}.sso_requests WHERE id = $1`,
      [id],
    );
    return rows[0] ? toRequest(rows[0]) : null;
  }

  /** Marks the request used; false when it was used already or has expired (one answer per request). */
  async use(id: string): Promise<boolean> {
    // TypeORM answers [rows, count] for an UPDATE.
    const [rows]: [unknown[], number] = await this.dataSource.query(
      `UPDATE ${schemaOf(this.dataSource)}.sso_requests SET used_at = now()
        WHERE id = $1 AND used_at IS NULL AND expires_at > now() RETURNING id`,
      [id],
    );
    return rows.length === 1;
  }
}

/**
 * sso_assertions: every accepted assertion id, per connection, until it would have expired. The
 * insert is the check (primary key), so two concurrent posts of one response cannot both pass,
 * and a restart forgets nothing.
 */
export class SqlAssertionReplayStore implements AssertionReplayStore {
  constructor(private readonly dataSource: DataSource) {}

  async remember(connectionId: string, assertionId: string, expiresAt: Date): Promise<boolean> {
    const s = schemaOf(this.dataSource);
    // Ids past their assertion's life can no longer be replayed (the time window refuses them).
    await this.dataSource.query(`DELETE FROM ${s}.sso_assertions WHERE expires_at < now()`);
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO ${s}.sso_assertions (connection_id, id, expires_at) VALUES ($1, $2, $3)
        ON CONFLICT DO NOTHING RETURNING id`,
      [connectionId, assertionId.slice(0, 200), expiresAt],
    );
    return inserted.length === 1;
  }
}
