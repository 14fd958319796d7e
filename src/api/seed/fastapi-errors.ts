import { Ajv, type ErrorObject } from 'ajv';
import { AJV_OPTIONS } from '../../events/ajv-options.ts';

/** One item of FastAPI's 422 body: where (`["body", field…]`), what went wrong, pydantic's error type. */
export interface FastApiErrorItem {
  readonly loc: (string | number)[];
  readonly msg: string;
  readonly type: string;
}

/** Every error of a body at once, as FastAPI lists them (steplog's own routes stop at the first). */
const ajv = new Ajv({ ...AJV_OPTIONS, allErrors: true });

const TYPE_ERRORS: Record<string, [string, string]> = {
  integer: ['int_type', 'Input should be a valid integer'],
  number: ['float_type', 'Input should be a valid number'],
  string: ['string_type', 'Input should be a valid string'],
  object: ['dict_type', 'Input should be a valid dictionary'],
};

/** An Ajv error in pydantic's words and error types (the ones a de-demo client can meet). */
function asPydantic(error: ErrorObject, field: string): Omit<FastApiErrorItem, 'loc'> {
  const params = error.params as { limit?: number; type?: string };
  switch (error.keyword) {
    case 'required':
      return { type: 'missing', msg: 'Field required' };
    case 'type':
      if (error.instancePath === '') {
        return {
          type: 'model_attributes_type',
          msg: 'Input should be a valid dictionary or object to extract fields from',
        };
      }
      return pair(TYPE_ERRORS[String(params.type)] ?? ['type_error', `Input should be ${String(params.type)}`]);
    case 'minimum':
      return { type: 'greater_than_equal', msg: `Input should be greater than or equal to ${params.limit}` };
    case 'maximum':
      return { type: 'less_than_equal', msg: `Input should be less than or equal to ${params.limit}` };
    case 'minLength':
      return { type: 'string_too_short', msg: `String should have at least ${params.limit} character` };
    case 'maxLength':
      return { type: 'string_too_long', msg: `String should have at most ${params.limit} characters` };
    case 'maxProperties':
      return { type: 'too_long', msg: `Dictionary should have at most ${params.limit} items` };
    case 'pattern':
      if (field === 'url') return { type: 'url_parsing', msg: 'Input should be a valid URL' };
      if (field === 'dt') return { type: 'datetime_from_date_parsing', msg: 'Input should be a valid datetime' };
      return {
        type: 'string_pattern_mismatch',
        msg: `String should match pattern '${(error.params as { pattern: string }).pattern}'`,
      };
    default:
      return { type: 'value_error', msg: error.message ?? 'Value error' };
  }
}

const pair = ([type, msg]: [string, string]) => ({ type, msg });

/** A validator answering FastAPI's `detail` list for a body, or null when it is valid. */
export function fastApiValidator(schema: object): (body: unknown) => FastApiErrorItem[] | null {
  const validate = ajv.compile(schema);
  return (body) => {
    if (validate(body)) return null;
    const items: FastApiErrorItem[] = [];
    const seen = new Set<string>();
    for (const error of validate.errors ?? []) {
      // A union (exp: object or null) reports each branch and then itself: keep the branch errors once per field.
      if (error.keyword === 'anyOf') continue;
      const path = error.instancePath.split('/').filter(Boolean);
      const missing = (error.params as { missingProperty?: string }).missingProperty;
      if (missing !== undefined) path.push(missing);
      const key = path.join('/');
      if (seen.has(key)) continue;
      seen.add(key);
      items.push({ loc: ['body', ...path], ...asPydantic(error, path[0] ?? '') });
    }
    return items;
  };
}
