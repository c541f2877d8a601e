import { ModelCatalog } from '../models/model-catalog';
import { chargeOf, holdFor, type Ending } from './charge';

// Prices chosen so each row below is worked out by hand (no call to creditsFor).
const [pro] = new ModelCatalog([
  {
    id: 'pro',
    displayName: 'Pro',
    creditsPerRequest: 5,
    creditsPer1kInputTokens: 3,
    creditsPer1kOutputTokens: 20,
    maxOutputTokens: 4096,
    thinkingBudget: 1024,
    priceVersion: 't',
  },
]).models;

const base: Ending = {
  upstreamReached: true,
  complete: false,
  deliveredChars: 0,
  inputEstimate: 520,
};

describe('chargeOf: what each ending of a generation costs', () => {
  // hold = 5 + ceil((520 x 3 + (4096 + 1024) x 20) / 1000) = 5 + ceil(103.96) = 109
  const HELD = 109;

  it('holds the prompt, the whole output allowance and the thinking budget', () => {
    expect(holdFor(pro, 520, 4096)).toBe(HELD);
  });

  it.each<[string, Partial<Ending>, number, [number, number, number]]>([
    [
      'never sent, or refused with a status',
      { upstreamReached: false, deliveredChars: 90 },
      0,
      [0, 0, 0],
    ],
    // 5 + ceil(520 x 3 / 1000) = 5 + ceil(1.56) = 7
    ['timeout or hang-up before the first chunk: the minimum', {}, 7, [520, 0, 0]],
    // 5 + ceil((500 x 3 + (300 + 200) x 20) / 1000) = 5 + ceil(11.5) = 17
    [
      'finished with every count',
      {
        complete: true,
        deliveredChars: 1200,
        reported: { inputTokens: 500, outputTokens: 300, thinkingTokens: 200 },
      },
      17,
      [500, 300, 200],
    ],
    // finished, thoughts omitted (zero): 5 + ceil((500 x 3 + 300 x 20) / 1000) = 5 + ceil(7.5) = 13
    [
      'finished, thoughtsTokenCount omitted',
      { complete: true, deliveredChars: 1200, reported: { inputTokens: 500, outputTokens: 300 } },
      13,
      [500, 300, 0],
    ],
    // hang-up: 24,000 chars delivered, the last chunk said input only: out ceil(24000 / 4) = 6000 is
    // over the hold: 5 + ceil((500 x 3 + (6000 + 1024) x 20) / 1000) = 147 -> 109
    [
      'hang-up after much text, no output count: estimated, thinking budget, capped by the hold',
      { deliveredChars: 24_000, reported: { inputTokens: 500 } },
      HELD,
      [500, 6000, 1024],
    ],
    // mid-way: 400 chars, 30 reported (below ceil(400 / 4) = 100), thoughts 10:
    // 5 + ceil((500 x 3 + (100 + 10) x 20) / 1000) = 5 + ceil(3.7) = 9
    [
      'cut mid-way: never below the text delivered',
      { deliveredChars: 400, reported: { inputTokens: 500, outputTokens: 30, thinkingTokens: 10 } },
      9,
      [500, 100, 10],
    ],
    // a reported count above the estimate stands: out 150 > ceil(40 / 4) = 10:
    // 5 + ceil((520 x 3 + (150 + 10) x 20) / 1000) = 5 + ceil(4.76) = 10
    [
      'cut mid-way: never below what Gemini reported',
      { deliveredChars: 40, reported: { outputTokens: 150, thinkingTokens: 10 } },
      10,
      [520, 150, 10],
    ],
    // finished without any usage: estimated; thinking unknown -> the budget:
    // 5 + ceil((520 x 3 + (3 + 1024) x 20) / 1000) = 5 + ceil(22.1) = 28
    ['finished without usageMetadata', { complete: true, deliveredChars: 10 }, 28, [520, 3, 1024]],
    // usage far beyond the hold (100k output, 50k thinking): capped at the hold
    [
      'reported usage beyond the hold',
      {
        complete: true,
        deliveredChars: 10,
        reported: { inputTokens: 500, outputTokens: 100_000, thinkingTokens: 50_000 },
      },
      HELD,
      [500, 100_000, 50_000],
    ],
  ])('%s', (_name, ending, credits, [inputTokens, outputTokens, thinkingTokens]) => {
    expect(chargeOf(pro, { ...base, ...ending }, HELD)).toEqual({
      credits,
      usage: { inputTokens, outputTokens, thinkingTokens },
    });
  });
});
