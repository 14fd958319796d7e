/**
 * What the warehouse columns can hold. The API refuses anything outside, so that every accepted
 * value loads unchanged: ids are ClickHouse UInt32, times DateTime (whole seconds since 1970, UTC).
 */
export const MAX_UINT32 = 4_294_967_295;
/** 1970-01-01T00:00:00Z, the first DateTime. */
export const EARLIEST_TIME_MS = 0;
/** 2106-02-07T06:28:15.999Z: the last DateTime second, with its milliseconds (stored as whole seconds). */
export const LATEST_TIME_MS = MAX_UINT32 * 1000 + 999;
