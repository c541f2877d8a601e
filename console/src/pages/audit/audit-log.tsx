import { useState } from 'preact/hooks';
import { useQuery } from '@urql/preact';
import { graphql } from '../../generated';
import { client } from '../../api/client';
import { problemOf, type ApiProblem } from '../../api/errors';
import { Link, type RouteProps } from '../../router';
import { Button, Empty, ErrorText, Field, Loading, Notice, Page, Pager, Section } from '../../ui';
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

const AuditChainCheck = graphql(`
  query AuditChainCheck($organizationId: ID!) {
    auditChainCheck(organizationId: $organizationId) {
      chain
      valid
      entries
      brokenAtSeq
      reason
    }
  }
`);

interface ChainReport {
  valid: boolean;
  entries: number;
  brokenAtSeq?: number | null;
  reason?: string | null;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** A chain check in words: how many entries and that it holds, or where it breaks and why. */
function chainWords(report: ChainReport): string {
  const entries = plural(report.entries, 'entry', 'entries');
  if (report.valid) return `${entries}, chain intact.`;
  const where = report.brokenAtSeq != null ? ` at entry ${report.brokenAtSeq}` : '';
  const why = report.reason ? `: ${report.reason}` : '';
  return `${entries}; the chain breaks${where}${why}. An entry was altered, removed or reordered after it was written.`;
}

/** "Verify chain": the server walks the organization's chain with its key (auditChainCheck). */
function ChainCheck({ organizationId }: { organizationId: string }) {
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ChainReport | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const verify = async () => {
    setBusy(true);
    setProblem(null);
    setReport(null);
    const result = await client
      .query(AuditChainCheck, { organizationId }, { requestPolicy: 'network-only' })
      .toPromise();
    setBusy(false);
    if (result.error || !result.data) {
      setProblem(withReasons(problemOf(result.error), ORG_REASONS));
      return;
    }
    setReport(result.data.auditChainCheck);
  };
  return (
    <Section title="Chain verification">
      <p>
        Each entry is chained to the one before it with a key only the server holds. Verifying walks
        the whole chain and says whether any entry was altered, removed or reordered.
      </p>
      <div class="actions">
        <Button kind="secondary" busy={busy} onClick={() => void verify()}>
          Verify chain
        </Button>
      </div>
      {busy && <Loading label="Verifying the chain…" />}
      <ErrorText message={problem?.message} />
      {report && report.valid && <Notice kind="success">{chainWords(report)}</Notice>}
      {report && !report.valid && <ErrorText message={chainWords(report)} />}
    </Section>
  );
}

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
 * it by an HMAC (docs/security.md "Audit log"); "Verify chain" asks the server to check it
 * (auditChainCheck, ADMIN).
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
      intro="Who did what in this organization, newest first, refused attempts included. The log is append-only and each entry is chained to the previous one, so a changed or removed entry shows when the chain is verified."
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
        <Pager after={after} pageInfo={data?.accessLog.pageInfo} onPage={setAfter} />
      </Section>
      <ChainCheck organizationId={organizationId} />
    </Page>
  );
}
