export default async function globalTeardown(): Promise<void> {
  await (
    globalThis as { __bastionEmbedded?: { close(): Promise<void> } }
  ).__bastionEmbedded?.close();
}
