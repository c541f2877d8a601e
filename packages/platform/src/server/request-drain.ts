import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * How long no request may have arrived before idle sockets are closed. A request a client wrote
 * just before the signal can still sit unread in the socket's buffer, looking idle: closing at once
 * would cut it (seen: one ECONNRESET per few runs under load).
 */
const QUIET_MS = 250;

/**
 * Graceful close of one HTTP listener: no new connections, every request already received runs
 * to its end, then idle keep-alive sockets close. Requests that arrive on a kept-alive socket
 * meanwhile are served with `Connection: close`, so their clients stop reusing the socket.
 */
export class RequestDrain {
  private readonly active = new Set<ServerResponse>();
  private draining = false;
  private onIdle: (() => void) | undefined;
  private lastRequestAt = 0;
  private quietTimer: NodeJS.Timeout | undefined;

  /** Wraps the request listener so every response is counted until it is done. */
  track(listener: Listener): Listener {
    return (req, res) => {
      this.lastRequestAt = Date.now();
      this.active.add(res);
      if (this.draining) res.setHeader('connection', 'close');
      res.once('close', () => {
        this.active.delete(res);
        if (this.draining && this.active.size === 0) this.onIdle?.();
      });
      listener(req, res);
    };
  }

  get inFlight(): number {
    return this.active.size;
  }

  close(server: Server, timeoutMs: number): Promise<void> {
    this.draining = true;
    for (const res of this.active) if (!res.headersSent) res.setHeader('connection', 'close');
    return new Promise<void>((resolve) => {
      const deadline = setTimeout(() => {
        clearTimeout(this.quietTimer);
        server.closeAllConnections();
        server.close();
      }, timeoutMs);
      // net.Server's close, not http.Server's: the latter also cuts idle keep-alive sockets at
      // once, racing a request a client is writing on one of them right now.
      NetServer.prototype.close.call(server, () => {
        clearTimeout(deadline);
        resolve();
      });
      // Once nothing is in flight and nothing arrived for a moment, idle sockets hold no request of
      // anyone's: http.Server's close now closes them (and its connection-check timer).
      this.onIdle = () => this.closeWhenQuiet(server);
      if (this.active.size === 0) this.onIdle();
    });
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
