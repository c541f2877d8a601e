/**
 * Whether an Accept header prefers an HTML page over a GraphQL response, as Apollo Server decides
 * for its landing page: HTML only when it ranks strictly above every GraphQL media type, so a
 * client that sends `*\/*` (curl, fetch) or lists JSON first still gets GraphQL.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept.split(',').map((part) => {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const quality = q ? Number(q.slice(2)) : 1;
    return { range: range.trim(), quality: Number.isFinite(quality) ? quality : 0 };
  });
  const quality = (type: string) => {
    const [major] = type.split('/');
    // The most specific range that matches decides (RFC 9110 12.5.1).
    const exact = ranges.find((r) => r.range === type);
    const group = ranges.find((r) => r.range === `${major}/*`);
    const any = ranges.find((r) => r.range === '*/*');
    return (exact ?? group ?? any)?.quality ?? 0;
  };
  const html = quality('text/html');
  const graphql = Math.max(
    quality('application/json'),
    quality('application/graphql-response+json'),
    quality('multipart/mixed'),
  );
  return html > 0 && html > graphql;
}
