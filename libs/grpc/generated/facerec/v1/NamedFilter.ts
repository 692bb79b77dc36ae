// Original file: proto/facerec/v1/matcher.proto

export const NamedFilter = {
  NAMED_FILTER_ANY: 'NAMED_FILTER_ANY',
  NAMED_FILTER_NAMED: 'NAMED_FILTER_NAMED',
  NAMED_FILTER_UNNAMED: 'NAMED_FILTER_UNNAMED',
} as const;

export type NamedFilter =
  | 'NAMED_FILTER_ANY'
  | 0
  | 'NAMED_FILTER_NAMED'
  | 1
  | 'NAMED_FILTER_UNNAMED'
  | 2

export type NamedFilter__Output = typeof NamedFilter[keyof typeof NamedFilter]
