/** Typed errors the use cases throw; `shared/http/http.ts` maps them to HTTP in one place. */
export interface FieldIssue {
  field: string;
  message: string;
}

export class ValidationError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(`Invalid request: ${issues.map((i) => i.field).join(', ')}`);
    this.name = 'ValidationError';
  }
}

export class UnauthorizedError extends Error {
  override name = 'UnauthorizedError';
}
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
/** 409: the request conflicts with what is stored; `issues` names the conflicting fields, if any. */
export class ConflictError extends Error {
  override name = 'ConflictError';
  constructor(
    message: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message);
  }
}
export class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
}
export class UnsupportedMediaTypeError extends Error {
  override name = 'UnsupportedMediaTypeError';
}
