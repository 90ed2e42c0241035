// Errors the user can fix (bad flags, unknown event types, unreadable files, failed setup): one line, exit 2.
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
