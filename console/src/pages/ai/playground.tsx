import { useEffect, useRef, useState } from 'preact/hooks';
import { useClient, useQuery } from '@urql/preact';
import { ERROR_MESSAGES, NETWORK_MESSAGE, waitWords } from '../../api/error-messages';
import { Link } from '../../router';
import {
  Button,
  Empty,
  ErrorText,
  Field,
  Form,
  Loading,
  Page,
  QueryError,
  Section,
  errors,
} from '../../ui';
import { SelectField, TextAreaField, When } from '../orgs/controls';
import { CreditBalance } from '../credits/operations';
import { AiCatalog, AiGenerations } from './operations';
import { streamGeneration, type StreamDone } from './stream';

interface Model {
  id: string;
  creditsPerRequest: number;
  creditsPer1kInputTokens: number;
  creditsPer1kOutputTokens: number;
  maxOutputTokens: number;
}

/**
 * The worst case a generation is held for (docs/configuration.md "Model catalog"): the request's
 * price plus the input and the whole maxOutputTokens at the token prices, rounded up once. The
 * server counts the input exactly (and a template adds its own text); here a token is estimated
 * at 4 characters.
 */
export function worstCase(model: Model, inputChars: number, maxOutputTokens: number): number {
  const inputTokens = Math.ceil(inputChars / 4);
  return (
    model.creditsPerRequest +
    Math.ceil(
      (inputTokens * model.creditsPer1kInputTokens +
        maxOutputTokens * model.creditsPer1kOutputTokens) /
        1000,
    )
  );
}

const STREAM_WORDS: Record<string, string> = {
  ...ERROR_MESSAGES,
  NETWORK: NETWORK_MESSAGE,
  ABORTED: 'Stopped.',
  INSUFFICIENT_CREDITS:
    'Not enough credits available for the worst case of this request. Buy credits or ask for fewer output tokens.',
  UPSTREAM_UNAVAILABLE:
    'The model is not answering right now. Nothing was charged for the failed part; try again.',
  EMAIL_NOT_VERIFIED: 'Verify your email address first: open the link we mailed you.',
};

const REASON_WORDS: Record<string, string> = {
  AI_NOT_CONFIGURED:
    'This model is not configured on this server (no Gemini key). Choose the development model.',
  INVALID_STRING: 'The text contains characters that cannot be sent (a NUL or a broken character).',
  KEY_CAPABILITY: ERROR_MESSAGES.FORBIDDEN ?? '',
  IMPERSONATION_READ_ONLY: 'A support session is read-only.',
};

type Phase = 'idle' | 'streaming' | 'done' | 'failed';

export function PlaygroundPage() {
  const client = useClient();
  const [{ data, fetching, error }] = useQuery({ query: AiCatalog });
  const [history, refetchHistory] = useQuery({ query: AiGenerations });
  const [balance, refetchBalance] = useQuery({ query: CreditBalance });
  const models = data?.aiModels ?? [];
  const templates = data?.aiPromptTemplates ?? [];
  const [modelId, setModelId] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [variables, setVariables] = useState<Record<string, string>>({});
  const [prompt, setPrompt] = useState('');
  const [maxTokens, setMaxTokens] = useState('');
  const [output, setOutput] = useState('');
  const [phase, setPhase] = useState<Phase>('idle');
  const [held, setHeld] = useState<number | null>(null);
  const [done, setDone] = useState<StreamDone | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    if (!modelId && models.length > 0)
      setModelId((models.find((m) => m.id === 'development-model') ?? models[0])!.id);
  }, [models.length]);
  useEffect(() => () => abort.current?.abort(), []);

  const model = models.find((m) => m.id === modelId);
  const template = templates.find((t) => t.id === templateId);
  const max = maxTokens.trim() ? Number(maxTokens) : (model?.maxOutputTokens ?? 0);
  const inputChars =
    prompt.length +
    (template?.variables ?? []).reduce((sum, v) => sum + (variables[v.name] ?? '').length, 0);
  const estimate =
    model && Number.isInteger(max) && max > 0 ? worstCase(model, inputChars, max) : null;
  const account = balance.data?.me?.credits;

  const readHolds = async () => {
    const result = await client
      .query(CreditBalance, {}, { requestPolicy: 'network-only' })
      .toPromise();
    const holds = result.data?.me?.credits?.holds ?? [];
    setHeld(holds.reduce((sum, hold) => sum + hold.amount, 0));
  };

  return (
    <Page
      title="AI playground"
      intro="Generate text with a model of the catalog. The worst case is held from your credits first; when the answer is complete you are charged for what was used and the rest is freed."
    >
      {fetching && !data && <Loading />}
      <QueryError error={error} />
      {data && models.length === 0 && <Empty>No model is offered on this server.</Empty>}
      {model && (
        <Section title="Request">
          <Form
            submitLabel={phase === 'streaming' ? 'Generating…' : 'Generate'}
            label="Generation request"
            validate={() =>
              errors({
                prompt: prompt.trim() ? undefined : 'Enter a prompt.',
                maxOutputTokens:
                  maxTokens.trim() === ''
                    ? undefined
                    : !/^\d+$/.test(maxTokens.trim()) || Number(maxTokens) < 1
                      ? 'Enter a whole number of tokens, at least 1.'
                      : Number(maxTokens) > model.maxOutputTokens
                        ? `This model answers at most ${model.maxOutputTokens} tokens.`
                        : undefined,
                ...Object.fromEntries(
                  (template?.variables ?? []).map((v) => [
                    `variable-${v.name}`,
                    (variables[v.name] ?? '').length > v.maxLength
                      ? `Use at most ${v.maxLength} characters.`
                      : undefined,
                  ]),
                ),
                estimate:
                  account && estimate !== null && estimate > account.available
                    ? `The worst case (${estimate} credits) is more than your ${account.available} available credits.`
                    : undefined,
              })
            }
            onSubmit={async () => {
              if (phase === 'streaming') return null;
              abort.current?.abort();
              const controller = new AbortController();
              abort.current = controller;
              setOutput('');
              setDone(null);
              setHeld(null);
              setProblem(null);
              setPhase('streaming');
              let first = true;
              await streamGeneration(
                {
                  model: model.id,
                  prompt,
                  ...(template && {
                    template: template.id,
                    variables: template.variables.map((v) => ({
                      name: v.name,
                      value: variables[v.name] ?? '',
                    })),
                  }),
                  ...(maxTokens.trim() && { maxOutputTokens: Number(maxTokens) }),
                  idempotencyKey: crypto.randomUUID(),
                },
                {
                  onChunk(text) {
                    setOutput((before) => before + text);
                    // The hold is in place while the answer streams: show it.
                    if (first) void readHolds();
                    first = false;
                  },
                  onDone(result) {
                    setDone(result);
                    setPhase('done');
                  },
                  onError(failure) {
                    const words =
                      (failure.reason && REASON_WORDS[failure.reason]) ||
                      (failure.code === 'RATE_LIMITED' && failure.retryAfter
                        ? `Too many generations. Try again in ${waitWords(failure.retryAfter)}.`
                        : STREAM_WORDS[failure.code]) ||
                      STREAM_WORDS.INTERNAL_SERVER_ERROR!;
                    setProblem(
                      failure.creditsCharged
                        ? `${words} ${failure.creditsCharged} credits were charged for what was produced.`
                        : words,
                    );
                    setPhase('failed');
                  },
                },
                controller.signal,
              );
              refetchBalance({ requestPolicy: 'network-only' });
              refetchHistory({ requestPolicy: 'network-only' });
              return null;
            }}
            actions={
              phase === 'streaming' && (
                <Button kind="secondary" onClick={() => abort.current?.abort()}>
                  Stop
                </Button>
              )
            }
          >
            {(found) => (
              <>
                <SelectField
                  name="model"
                  label="Model"
                  value={modelId}
                  onInput={setModelId}
                  options={models.map((m) => ({ value: m.id, label: m.displayName }))}
                  hint={
                    `${model.description ? `${model.description} ` : ''}` +
                    `${model.creditsPerRequest} credits per request, ${model.creditsPer1kInputTokens} per 1,000 input tokens, ${model.creditsPer1kOutputTokens} per 1,000 output tokens.`
                  }
                />
                {templates.length > 0 && (
                  <SelectField
                    name="template"
                    label="Template"
                    value={templateId}
                    onInput={setTemplateId}
                    options={[
                      { value: '', label: 'None' },
                      ...templates.map((t) => ({ value: t.id, label: t.displayName })),
                    ]}
                    hint="A template's instructions are kept on the server; you fill its variables."
                  />
                )}
                {template?.variables.map((v) => (
                  <Field
                    key={v.name}
                    name={`variable-${v.name}`}
                    label={`Template variable: ${v.name}`}
                    value={variables[v.name] ?? ''}
                    onInput={(value) => setVariables({ ...variables, [v.name]: value })}
                    maxLength={v.maxLength}
                    hint={`At most ${v.maxLength} characters.`}
                    error={found[`variable-${v.name}`]}
                  />
                ))}
                <TextAreaField
                  name="prompt"
                  label="Prompt"
                  value={prompt}
                  onInput={setPrompt}
                  rows={5}
                  error={found.prompt}
                />
                <Field
                  name="maxOutputTokens"
                  label="Most output tokens (optional)"
                  inputMode="numeric"
                  value={maxTokens}
                  onInput={setMaxTokens}
                  hint={`At most ${model.maxOutputTokens} (the default).`}
                  error={found.maxOutputTokens}
                />
                <p class="estimate" aria-live="polite" data-testid="estimate">
                  Estimated worst case: <strong>{estimate ?? '—'} credits</strong>
                  {account && <> · available: {account.available}</>}
                </p>
                <ErrorText message={found.estimate} />
              </>
            )}
          </Form>
          <p class="hint">
            <Link to="/credits">Credits</Link>
          </p>
        </Section>
      )}
      {phase !== 'idle' && (
        <Section title="Answer">
          <div
            class="output"
            aria-live="polite"
            aria-busy={phase === 'streaming'}
            data-testid="output"
          >
            {output || (phase === 'streaming' ? 'Waiting for the first words…' : '')}
          </div>
          <ul class="charges" aria-live="polite">
            {held !== null && (
              <li data-testid="held">
                Held while generating: <strong>{held} credits</strong>
              </li>
            )}
            {done && (
              <li data-testid="charged">
                Charged: <strong>{done.creditsCharged ?? 0} credits</strong>
                {done.usage &&
                  ` (${done.usage.inputTokens ?? 0} input, ${done.usage.outputTokens ?? 0} output` +
                    `${done.usage.thinkingTokens ? `, ${done.usage.thinkingTokens} thinking` : ''} tokens); the rest of the hold was freed.`}
              </li>
            )}
            {done && account && (
              <li data-testid="balance-after">
                Balance now: <strong>{account.balance}</strong> (available {account.available})
              </li>
            )}
          </ul>
          <ErrorText message={problem} />
        </Section>
      )}
      <Section title="Recent generations">
        <QueryError error={history.error} />
        {history.data?.me?.generations.edges.length === 0 && <Empty>No generations yet.</Empty>}
        <ul class="rows">
          {history.data?.me?.generations.edges.map(({ node }) => (
            <li key={node.id} class="row">
              <span>
                {node.model}
                {node.template ? ` · ${node.template}` : ''}
              </span>
              <span class="meta">
                {node.creditsCharged} credits · <When at={node.createdAt} />
              </span>
            </li>
          ))}
        </ul>
      </Section>
    </Page>
  );
}
