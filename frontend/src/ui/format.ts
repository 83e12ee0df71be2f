/** Display formats, from one home each: numbers (lib/phone), times and durations (lib/time). */

export { formatPhone, parseTypedNumber, setLineNumber } from "../lib/phone";
export { formatClockDuration, formatDuration, formatWhen, newestFirst } from "../lib/time";
