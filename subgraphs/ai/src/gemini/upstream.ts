import type { ReportedUsage } from '../generations/charge';
import {
  UpstreamFailure,
  type GeminiRequest,
  type StreamPiece,
  type TextUpstream,
} from './upstream-contract';

export type { TextUpstream };

/** Sends each request to the first upstream that serves its model (a local one before Gemini). */
export class UpstreamRouter implements TextUpstream {
  constructor(private readonly upstreams: readonly TextUpstream[]) {}

  private pick(upstreamModel: string): TextUpstream {
    const upstream = this.upstreams.find((u) => u.configuredFor(upstreamModel));
    if (!upstream) throw new UpstreamFailure('unconfigured');
    return upstream;
  }

  configuredFor(upstreamModel: string): boolean {
    return this.upstreams.some((u) => u.configuredFor(upstreamModel));
  }

  countInputTokens(request: GeminiRequest): Promise<number> {
    return this.pick(request.upstreamModel).countInputTokens(request);
  }

  generate(request: GeminiRequest): Promise<{ text: string; usage?: ReportedUsage }> {
    return this.pick(request.upstreamModel).generate(request);
  }

  stream(request: GeminiRequest, signal: AbortSignal): AsyncGenerator<StreamPiece> {
    return this.pick(request.upstreamModel).stream(request, signal);
  }
}
