/**
 * URLs fit to show in messages, logs and output, whether or not they parse: any user information
 * (`user:password@`) becomes `***@`. The authority is taken to end at the last `@`, so a password
 * holding `/`, `?`, `#` or `@` is hidden whole; hiding a path's `@` too is the safe side.
 */
export function hideUserInfo(text: string): string {
  const scheme = text.indexOf('://');
  const start = scheme >= 0 ? scheme + 3 : 0;
  const at = text.lastIndexOf('@');
  return at >= start ? `${text.slice(0, start)}***@${text.slice(at + 1)}` : text;
}
