import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** Ajv settings shared by the HTTP layer and per-item batch validation: reject, never coerce or strip. */
export const AJV_OPTIONS = {
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: true,
  allErrors: false,
} as const;

const ajv = new Ajv(AJV_OPTIONS);
addFormats.default(ajv);

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** Compiles a JSON schema into a check that names the offending field. */
export function compileValidator<T>(
  schema: object,
): (value: unknown) => { ok: true; value: T } | ({ ok: false } & FieldError) {
  const validate = ajv.compile(schema) as ValidateFunction<T>;
  return (value) => {
    if (validate(value)) return { ok: true, value };
    return { ok: false, ...describeError(validate.errors?.[0]) };
  };
}

/** One Ajv error as the field it concerns and a sentence that names it. */
export function describeError(error: ErrorObject | undefined, prefix = ''): FieldError {
  if (!error) return { field: prefix, message: 'invalid value' };
  const path = [prefix, ...error.instancePath.split('/').filter(Boolean)].filter(Boolean);
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (params.missingProperty !== undefined) path.push(params.missingProperty);
  if (params.additionalProperty !== undefined) {
    path.push(params.additionalProperty);
    return { field: path.join('.'), message: `${path.join('.')} is not a known field` };
  }
  const field = path.join('.') || 'body';
  if (params.missingProperty !== undefined) return { field, message: `${field} is required` };
  return { field, message: `${field} ${error.message ?? 'is invalid'}` };
}
