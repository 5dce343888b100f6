/**
 * Result parsers shared by both drivers so rows look the same whatever the backend: int8
 * (versions, sizes) as JS numbers (they stay far below 2^53), and `date` as its 'YYYY-MM-DD' text
 * rather than a Date at local midnight, which would shift by the server's time zone.
 */
const INT8 = 20
const DATE = 1082

export const TYPE_PARSERS: Record<number, (value: string) => unknown> = {
  [INT8]: (value) => Number(value),
  [DATE]: (value) => value
}
