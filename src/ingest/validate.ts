import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { AJV_OPTIONS } from '../events/ajv-options.ts';
import { UUID_PATTERN, WELL_FORMED } from '../events/schemas.ts';
import { DATE_TIME, HTTP_URL } from '../events/site-schemas.ts';

const ajv = new Ajv(AJV_OPTIONS);
addFormats.default(ajv);

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

const PATTERN_MEANING: Record<string, string> = {
  [UUID_PATTERN]: 'a UUID in the 8-4-4-4-12 hex form (no urn:uuid: prefix, no braces)',
  [WELL_FORMED]: 'well-formed Unicode (a lone surrogate cannot be stored)',
  [HTTP_URL]: 'an http(s) URL with a host and no whitespace',
  [DATE_TIME]: 'an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS, optional fraction and offset)',
};

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
  const pattern = PATTERN_MEANING[(error.params as { pattern?: string }).pattern ?? ''];
  if (error.keyword === 'pattern' && pattern) return { field, message: `${field} must be ${pattern}` };
  return { field, message: `${field} ${error.message ?? 'is invalid'}` };
}
