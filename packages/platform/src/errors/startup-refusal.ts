/** A refusal to start that needs one line, not a stack trace (e.g. DATA_DIR held by another process). */
export class StartupRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupRefusal';
  }
}
