import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Obj = Record<string, unknown>;

export interface StripeRequest {
  method: string;
  path: string;
  /** The form-encoded body (or query) decoded from Stripe's bracket notation. */
  params: Obj;
  headers: IncomingMessage['headers'];
}

const stripeId = (prefix: string) => `${prefix}_test_${randomBytes(12).toString('hex')}`;

/** Decodes `a[b][0][c]=v` pairs the way Stripe's API reads them. */
export function decodeStripeForm(text: string): Obj {
  const root: Obj = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const parts = key.split(/\[|\]\[|\]/).filter((p) => p !== '');
    let node: Obj = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else node = (node[part] ??= /^\d+$/.test(parts[i + 1]) ? [] : {}) as Obj;
    });
  }
  return root;
}

/** Stripe's signature header: t=<unix seconds>,v1=hex(HMAC-SHA256(secret, "<t>.<payload>")). */
export function signStripePayload(
  payload: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/** An event in Stripe's envelope. */
export function stripeEvent(
  type: string,
  object: Obj,
  created = Math.floor(Date.now() / 1000),
): Obj {
  return {
    id: stripeId('evt'),
    object: 'event',
    api_version: '2025-11-17.clover',
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

/**
 * A local server speaking Stripe's wire format for the calls the credits service makes (customers,
 * checkout sessions and their line items, prices named by id, a customer's payment methods):
 * form-encoded requests, Stripe's JSON objects
 * and error shape. It records every request, so a test sees what the SDK really sent.
 */
export class FakeStripe {
  readonly requests: StripeRequest[] = [];
  readonly customers = new Map<string, Obj>();
  readonly sessions = new Map<string, Obj>();
  readonly paymentMethods = new Map<string, Obj[]>();
  /** Prices a checkout may name by id (`line_items[0][price]`); see addPrice. */
  readonly prices = new Map<string, Obj>();
  /** Each session's line items, as GET /v1/checkout/sessions/:id/line_items answers them. */
  readonly lineItems = new Map<string, Obj[]>();
  private readonly idempotent = new Map<string, Obj>();
  private server?: Server;
  /** Set by hostCheckout: sessions' urls point at this server's own checkout page. */
  private hosted?: { webhookUrl: string; webhookSecret: string };
  url = '';

  constructor(readonly secretKey = `sk_test_${randomBytes(8).toString('hex')}`) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  addCard(
    customer: string,
    card: { brand: string; last4: string; exp_month: number; exp_year: number },
  ): void {
    const method = {
      id: stripeId('pm'),
      object: 'payment_method',
      type: 'card',
      customer,
      created: now(),
      livemode: false,
      card: { ...card, country: 'US', funding: 'credit' },
    };
    this.paymentMethods.set(customer, [...(this.paymentMethods.get(customer) ?? []), method]);
  }

  /** A Price object (`price_...`) for `product`, which checkouts may then sell by id. */
  addPrice(price: {
    id?: string;
    product?: string;
    unit_amount: number;
    currency: string;
    interval?: string;
  }): Obj {
    const object = {
      id: price.id ?? stripeId('price'),
      object: 'price',
      active: true,
      currency: price.currency,
      unit_amount: price.unit_amount,
      product: price.product ?? stripeId('prod'),
      recurring: price.interval ? { interval: price.interval, interval_count: 1 } : null,
      type: price.interval ? 'recurring' : 'one_time',
      livemode: false,
    };
    this.prices.set(object.id, object);
    return object;
  }

  /**
   * Stands in for Stripe's hosted checkout page, for browser tests: from now on a session's `url`
   * is a page on this server (`/c/pay/<id>`) with a Pay button and a link back. Paying sends
   * `checkout.session.completed` (paid), signed with `webhookSecret`, to `webhookUrl` as Stripe
   * does, then redirects the browser to the session's success_url (`{CHECKOUT_SESSION_ID}` filled
   * in); the link goes to its cancel_url.
   */
  hostCheckout(webhookUrl: string, webhookSecret: string): this {
    this.hosted = { webhookUrl, webhookSecret };
    return this;
  }

  /** The session as Stripe sends it in checkout.session.completed once paid. */
  paidSession(sessionId: string): Obj {
    const session = this.sessions.get(sessionId);
    if (!session) throw new Error(`no session ${sessionId}`);
    const subscription = session.mode === 'subscription' ? stripeId('sub') : null;
    return {
      ...session,
      status: 'complete',
      payment_status: 'paid',
      subscription,
      payment_intent: session.mode === 'payment' ? stripeId('pi') : null,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = decodeStripeForm(
      req.method === 'GET' ? url.search.slice(1) : Buffer.concat(chunks).toString('utf8'),
    );
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      params,
      headers: req.headers,
    });
    const page = /^\/c\/pay\/([^/]+)$/.exec(url.pathname);
    if (page && this.hosted) return this.checkoutPage(req.method ?? '', page[1], res);
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      return send(res, 401, {
        error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' },
      });
    }
    const key = req.headers['idempotency-key'];
    const replay =
      typeof key === 'string'
        ? this.idempotent.get(`${req.method} ${url.pathname} ${key}`)
        : undefined;
    if (replay) return send(res, 200, replay);
    const answer = this.route(req.method ?? '', url.pathname, params);
    if (!answer) {
      return send(res, 404, {
        error: {
          type: 'invalid_request_error',
          code: 'resource_missing',
          message: `Unrecognized request URL (${req.method}: ${url.pathname}).`,
        },
      });
    }
    if (typeof key === 'string' && answer.status === 200)
      this.idempotent.set(`${req.method} ${url.pathname} ${key}`, answer.body);
    send(res, answer.status, answer.body);
  }

  private route(method: string, path: string, params: Obj): { status: number; body: Obj } | null {
    if (method === 'POST' && path === '/v1/customers') {
      const customer = {
        id: stripeId('cus'),
        object: 'customer',
        created: now(),
        livemode: false,
        email: params.email ?? null,
        metadata: params.metadata ?? {},
      };
      this.customers.set(customer.id, customer);
      return { status: 200, body: customer };
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      if (typeof params.customer === 'string' && !this.customers.has(params.customer)) {
        return {
          status: 400,
          body: {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              param: 'customer',
              message: `No such customer: '${params.customer}'`,
            },
          },
        };
      }
      const item = ((params.line_items as Obj[] | undefined) ?? [])[0] ?? {};
      const named = typeof item.price === 'string' ? this.prices.get(item.price) : undefined;
      if (typeof item.price === 'string' && !named) {
        return {
          status: 400,
          body: {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              param: 'line_items[0][price]',
              message: `No such price: '${item.price}'`,
            },
          },
        };
      }
      const inline = (item.price_data ?? {}) as Obj;
      const price: Obj = named ?? {
        id: stripeId('price'),
        object: 'price',
        currency: inline.currency,
        unit_amount: Number(inline.unit_amount ?? 0),
        product: inline.product ?? stripeId('prod'),
        recurring: inline.recurring ?? null,
      };
      const id = stripeId('cs');
      const quantity = Number(item.quantity ?? 1);
      this.lineItems.set(id, [
        {
          id: stripeId('li'),
          object: 'item',
          quantity,
          currency: price.currency,
          amount_total: Number(price.unit_amount) * quantity,
          price,
        },
      ]);
      const session = {
        id,
        object: 'checkout.session',
        created: now(),
        livemode: false,
        mode: params.mode,
        status: 'open',
        payment_status: 'unpaid',
        customer: params.customer ?? null,
        client_reference_id: params.client_reference_id ?? null,
        metadata: params.metadata ?? {},
        success_url: params.success_url,
        cancel_url: params.cancel_url,
        currency: price.currency ?? null,
        amount_total: Number(price.unit_amount ?? 0) * quantity,
        url: this.hosted ? `${this.url}/c/pay/${id}` : `https://checkout.stripe.com/c/pay/${id}`,
      };
      this.sessions.set(id, session);
      return { status: 200, body: session };
    }
    const items = /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/.exec(path);
    if (method === 'GET' && items) {
      const data = this.lineItems.get(items[1]);
      if (!data)
        return {
          status: 404,
          body: {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              message: `No such checkout.session: '${items[1]}'`,
            },
          },
        };
      return { status: 200, body: { object: 'list', url: path, has_more: false, data } };
    }
    const methods = /^\/v1\/customers\/([^/]+)\/payment_methods$/.exec(path);
    if (method === 'GET' && methods) {
      if (!this.customers.has(methods[1]))
        return {
          status: 404,
          body: {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              message: `No such customer: '${methods[1]}'`,
            },
          },
        };
      const data = (this.paymentMethods.get(methods[1]) ?? []).filter(
        (m) => !params.type || m.type === params.type,
      );
      return { status: 200, body: { object: 'list', url: path, has_more: false, data } };
    }
    return null;
  }
  private async checkoutPage(method: string, id: string, res: ServerResponse): Promise<void> {
    const session = this.sessions.get(id);
    if (!session || !this.hosted) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end('No such checkout session.');
    }
    if (method === 'POST') {
      const paid = this.paidSession(id);
      this.sessions.set(id, paid);
      const event = stripeEvent('checkout.session.completed', paid);
      await deliverStripeEvent(this.hosted.webhookUrl, event, this.hosted.webhookSecret);
      const back = String(session.success_url).replace('{CHECKOUT_SESSION_ID}', id);
      res.writeHead(303, { location: back });
      return void res.end();
    }
    const amount = (Number(session.amount_total) / 100).toFixed(2);
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay (local Stripe)</title></head>
<body><main><h1>Local Stripe checkout</h1><p>Total: ${amount} ${escapeHtml(String(session.currency))}</p>
<form method="post" action="/c/pay/${escapeHtml(id)}"><button type="submit">Pay</button></form>
<p><a href="${escapeHtml(String(session.cancel_url))}">Cancel and go back</a></p></main></body></html>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const now = () => Math.floor(Date.now() / 1000);

function send(res: ServerResponse, status: number, body: Obj): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'request-id': `req_${randomBytes(6).toString('hex')}`,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Delivers an event to a webhook URL the way Stripe does: raw JSON body, Stripe-Signature header. */
export async function deliverStripeEvent(
  url: string,
  event: Obj,
  secret: string,
  options: { timestamp?: number; signature?: string } = {},
): Promise<{ status: number; body: Obj }> {
  const payload = JSON.stringify(event, null, 2);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'stripe-signature':
        options.signature ?? signStripePayload(payload, secret, options.timestamp),
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    },
    body: payload,
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Obj) : {} };
}
