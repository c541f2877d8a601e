import { useState } from 'preact/hooks';
import { useQuery } from '@urql/preact';
import { graphql } from '../../generated';
import { problemOf } from '../../api/errors';
import { Link, type RouteProps } from '../../router';
import { Button, Empty, ErrorText, Field, Loading, Page, Section } from '../../ui';
import { ORG_REASONS, When, withReasons } from '../orgs/controls';

const AccessLog = graphql(`
  query AccessLog($organizationId: ID!, $action: String, $after: String) {
    organization(id: $organizationId) {
      id
      name
    }
    accessLog(organizationId: $organizationId, first: 50, after: $after, action: $action) {
      edges {
        node {
          id
          at
          actorId
          action
          targetType
          targetId
          ip
          metadata
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** A short, readable form of an entry's metadata (it is JSON; shown as text, never as markup). */
function details(metadata: unknown): string {
  if (metadata === null || metadata === undefined) return '';
  if (typeof metadata !== 'object') return String(metadata);
  return Object.entries(metadata as Record<string, unknown>)
    .map(
      ([key, value]) =>
        `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
    )
    .join(' · ');
}

/**
 * The organization's audit log (ADMIN, newest first). Each entry is chained to the one before
 * it by an HMAC (docs/security.md "Audit log"); checking the chain (verifyAuditChain) is for
 * operators on the internal listener, so the console does not offer it.
 */
export function AuditLogPage({ params }: RouteProps) {
  const organizationId = params.id ?? '';
  const [filter, setFilter] = useState('');
  const [action, setAction] = useState<string | null>(null);
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }] = useQuery({
    query: AccessLog,
    variables: { organizationId, action, after },
  });
  const entries = data?.accessLog.edges.map((edge) => edge.node) ?? [];
  const problem = withReasons(problemOf(error), ORG_REASONS);
  return (
    <Page
      title="Audit log"
      intro="Who did what in this organization, newest first, refused attempts included. The log is append-only and each entry is chained to the previous one, so a changed or removed entry shows when operators check the chain."
    >
      <p>
        <Link to={`/orgs/${organizationId}`}>
          Back to {data?.organization?.name ?? 'the organization'}
        </Link>
      </p>
      <Section title="Entries">
        <form
          class="form inline"
          aria-label="Filter by action"
          onSubmit={(event) => {
            event.preventDefault();
            setAfter(null);
            setAction(filter.trim() || null);
          }}
        >
          <Field
            name="action"
            label="Action"
            value={filter}
            onInput={setFilter}
            hint="One action, e.g. member.invited or access.denied; empty for all."
          />
          <div class="actions">
            <Button type="submit" kind="secondary">
              Filter
            </Button>
          </div>
        </form>
        {fetching && !data && <Loading />}
        <ErrorText message={problem?.message} />
        {data && entries.length === 0 && <Empty>No entries{action ? ` for ${action}` : ''}.</Empty>}
        {entries.length > 0 && (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Audit entries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Target</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.id}>
                    <td>
                      <When at={entry.at} />
                    </td>
                    <td>
                      <code>{entry.action}</code>
                    </td>
                    <td class="id">{entry.actorId ?? 'the platform'}</td>
                    <td class="id">
                      {entry.targetType}
                      {entry.targetId ? ` ${entry.targetId}` : ''}
                    </td>
                    <td>
                      {details(entry.metadata)}
                      {entry.ip ? ` · from ${entry.ip}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div class="actions">
          {after && (
            <Button kind="secondary" onClick={() => setAfter(null)}>
              Newest
            </Button>
          )}
          {data?.accessLog.pageInfo.hasNextPage && (
            <Button
              kind="secondary"
              onClick={() => setAfter(data.accessLog.pageInfo.endCursor ?? null)}
            >
              Older
            </Button>
          )}
        </div>
      </Section>
    </Page>
  );
}
