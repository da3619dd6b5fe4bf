/** Exit codes: 0 success or nothing to do, 1 a failure during apply, 2 refused (bad arguments or violations: nothing changed). */
export const EXIT = { ok: 0, failed: 1, refused: 2, interrupted: 130 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.refused,
    /** `cause`: the engine's error behind it, for `apply --format json`. */
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "CliError";
  }
}
