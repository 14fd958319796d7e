/** Ajv settings of every schema check (the HTTP layer's and per-item batch validation): reject, never coerce or strip. */
export const AJV_OPTIONS = {
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: true,
  allErrors: false,
} as const;
