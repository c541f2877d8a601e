import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Graceful close of one HTTP listener: no new connections, every request already received runs
 * to its end, then idle keep-alive sockets close. Requests that arrive on a kept-alive socket
 * meanwhile are served with `Connection: close`, so their clients stop reusing the socket.
 */
export class RequestDrain {
  private readonly active = new Set<ServerResponse>();
  private draining = false;
  private onIdle: (() => void) | undefined;

  /** Wraps the request listener so every response is counted until it is done. */
  track(listener: Listener): Listener {
    return (req, res) => {
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
        server.closeAllConnections();
        server.close();
      }, timeoutMs);
      // net.Server's close, not http.Server's: the latter also cuts idle keep-alive sockets at
      // once, racing a request a client is writing on one of them right now.
      NetServer.prototype.close.call(server, () => {
        clearTimeout(deadline);
        resolve();
      });
      // Once nothing is in flight, idle sockets hold no request of anyone's: http.Server's close
      // now closes them (and its connection-check timer).
      this.onIdle = () => setImmediate(() => server.close());
      if (this.active.size === 0) this.onIdle();
    });
  }
}
