// The one error type of the model store (Hub listing, downloads, installs). Every failure ends in one of these
// (or an RpcFailure "cancelled"), with a message written for the user: what happened and what to do.

export type ModelStoreErrorCode =
  /** Repository, revision or file does not exist (or is private and no token was given). */
  | 'notFound'
  /** 401: no token, or the token was rejected. */
  | 'unauthorized'
  /** Gated repository whose licence the token's account has not accepted (403), or no token at all. */
  | 'gated'
  /** Connection refused/reset/dropped, timeouts, DNS, TLS. */
  | 'network'
  /** 5xx / 429 / 408 answers. */
  | 'server'
  /** A file's size or hash differs from the Hub's listing. */
  | 'integrity'
  /** Not enough free disk space (preflight or ENOSPC while writing). */
  | 'diskFull'
  /** The repository is not a usable diffusers ONNX model (required files missing). */
  | 'incomplete'
  /** Bad input: a repo id, a catalog, a path. */
  | 'invalid'
  /** Another process is downloading the same model. */
  | 'busy'
  /** File-system errors other than a full disk. */
  | 'io';

export interface ModelStoreErrorOptions {
  /** Worth another try after a pause (network faults, 5xx, 429). */
  retryable?: boolean;
  /** The server's Retry-After, in ms. */
  retryAfterMs?: number;
  /** More detail for the log (not shown in the one-line message). */
  detail?: string;
  cause?: unknown;
}

export class ModelStoreError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly detail: string | undefined;

  constructor(
    readonly code: ModelStoreErrorCode,
    message: string,
    options: ModelStoreErrorOptions = {},
  ) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'ModelStoreError';
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.detail = options.detail;
  }
}
