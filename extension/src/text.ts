/** `str`: any JSON value as display text (objects as JSON, nullish as ""), shared by the extension and webviews. */

export function str(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return value.toString();
  return JSON.stringify(value);
}
