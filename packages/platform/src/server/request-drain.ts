import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';

type Listener = (req: IncomingMessage, res: ServerResponse) => void | Promise<unknown>;

/**
 * How long no request may have arrived before idle sockets are closed. A request a client wrote
 * just before the signal can still sit unread in the socket's buffer, looking idle: closing at once
 * would cut it (seen: one ECONNRESET per few runs under load).
 */
const QUIET_MS = 250;

/**
 * How long before a drain's deadline long responses (Server-Sent Events) are asked to end
 * themselves: a quarter of the bound, at most 2 s. What they send then (an `error` event) is a
 * proper ending; what the deadline cuts is not.
 */
export function wrapUpLeadMs(timeoutMs: number): number {
  return Math.min(2_000, Math.floor(timeoutMs / 4));
}

/** Every tracked response's drain, so a route can ask whether it should wrap up. */
const drains = new WeakMap<ServerResponse, RequestDrain>();

/**
 * Aborted when the listener serving `res` is about to stop (shortly before its drain's deadline):
 * a response that could outlast it (a stream) ends itself now, with an event saying why. A
 * response of no tracked listener gets a signal that never aborts.
 */
export function shutdownSignalOf(res: ServerResponse): AbortSignal {
  return drains.get(res)?.wrapUpSignal ?? new AbortController().signal;
}

/**
 * Graceful close of one HTTP listener: no new connections, every request already received runs
 * to its end, then idle keep-alive sockets close. Requests that arrive on a kept-alive socket
 * meanwhile are served with `Connection: close`, so their clients stop reusing the socket. A
 * request counts until its response has closed and its handler has returned: a handler that goes
 * on after its client left (charging what was delivered) still finishes before the close resolves.
 */
export class RequestDrain {
  private readonly active = new Set<object>();
  private readonly responses = new Set<ServerResponse>();
  private draining = false;
  private closed = false;
  private onIdle: (() => void) | undefined;
  private readonly idleWaiters = new Set<() => void>();
  private lastRequestAt = 0;
  private quietTimer: NodeJS.Timeout | undefined;
  private readonly wrapUpController = new AbortController();

  /** Wraps the request listener so every request is counted until it is done. */
  track(listener: Listener): Listener {
    return (req, res) => {
      this.lastRequestAt = Date.now();
      drains.set(res, this);
      if (this.draining) res.setHeader('connection', 'close');
      // Two parts per request: the response (until it closes) and the handler (until it settles).
      const response = {};
      const handler = {};
      this.active.add(response);
      this.active.add(handler);
      this.responses.add(res);
      res.once('close', () => {
        this.responses.delete(res);
        this.done(response);
      });
      let result: void | Promise<unknown>;
      try {
        result = listener(req, res);
      } catch (error) {
        this.done(handler);
        throw error;
      }
      if (result instanceof Promise) {
        result.then(
          () => this.done(handler),
          () => this.done(handler),
        );
      } else this.done(handler);
      return result;
    };
  }

  /**
   * Counts work that reaches the service without HTTP (an in-process request from the gateway of
   * the same process) like a request: the drain and whenIdle wait for it. Refused once the
   * listener has closed, as a connection would be.
   */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the service has stopped accepting requests'));
    this.lastRequestAt = Date.now();
    const part = {};
    this.active.add(part);
    const done = () => this.done(part);
    let result: Promise<T>;
    try {
      result = work();
    } catch (error) {
      done();
      return Promise.reject(error);
    }
    result.then(done, done);
    return result;
  }

  /** Requests (responses or handlers) not finished yet. */
  get inFlight(): number {
    return this.active.size;
  }

  get wrapUpSignal(): AbortSignal {
    return this.wrapUpController.signal;
  }

  /** Asks every long response to end now (see shutdownSignalOf); later requests see it aborted too. */
  wrapUp(): void {
    if (!this.wrapUpController.signal.aborted) this.wrapUpController.abort(new Error('stopping'));
  }

  /**
   * Resolves once nothing is in flight and no request arrived for `quietMs` (at once if so), or
   * after `timeoutMs`.
   */
  async whenIdle(timeoutMs: number, quietMs = 0): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      if (this.active.size > 0) {
        await this.nextIdle(left);
        continue;
      }
      const quietLeft = this.lastRequestAt + quietMs - Date.now();
      if (quietLeft <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(quietLeft, left)));
    }
  }

  private nextIdle(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.idleWaiters.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.idleWaiters.add(finish);
    });
  }

  close(server: Server, timeoutMs: number): Promise<void> {
    this.draining = true;
    for (const res of this.responses) if (!res.headersSent) res.setHeader('connection', 'close');
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- read by the hoisted finish()
    const drain = this;
    return new Promise<void>((resolve) => {
      const wrapUpTimer = setTimeout(() => this.wrapUp(), timeoutMs - wrapUpLeadMs(timeoutMs));
      let afterCut: NodeJS.Timeout | undefined;
      let closed = false;
      const cutTimer = setTimeout(() => {
        clearTimeout(this.quietTimer);
        server.closeAllConnections();
        server.close();
        // Handlers whose responses were cut get a short while to record how they ended.
        afterCut = setTimeout(
          () => {
            this.active.clear();
            finish();
          },
          wrapUpLeadMs(timeoutMs) + 1_000,
        );
      }, timeoutMs);
      function finish(this: void) {
        if (!closed || drain.active.size > 0) return;
        drain.closed = true;
        clearTimeout(wrapUpTimer);
        clearTimeout(cutTimer);
        clearTimeout(afterCut);
        resolve();
      }
      // net.Server's close, not http.Server's: the latter also cuts idle keep-alive sockets at
      // once, racing a request a client is writing on one of them right now.
      NetServer.prototype.close.call(server, () => {
        closed = true;
        finish();
      });
      // Once nothing is in flight and nothing arrived for a moment, idle sockets hold no request of
      // anyone's: http.Server's close now closes them (and its connection-check timer).
      this.onIdle = () => {
        finish();
        this.closeWhenQuiet(server);
      };
      if (this.active.size === 0) this.onIdle();
    });
  }

  private done(part: object): void {
    if (!this.active.delete(part) || this.active.size > 0) return;
    this.idleWaiters.forEach((wake) => wake());
    if (this.draining) this.onIdle?.();
  }

  private closeWhenQuiet(server: Server): void {
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      if (this.active.size > 0) return; // the last of them calls onIdle again
      if (Date.now() - this.lastRequestAt < QUIET_MS) this.closeWhenQuiet(server);
      else server.close();
    }, QUIET_MS);
  }
}
