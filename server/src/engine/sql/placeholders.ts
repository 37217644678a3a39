/**
 * Placeholders a tool replaces before PostgreSQL sees the text: psql variables (`:name`, `:'name'`,
 * `:"name"`), Go, Jinja and Mustache templates (pop's `{{ index .Options "Namespace" }}.users`),
 * Flyway placeholders (`${schema}`) and synapse's (`$%AUTO_INCREMENT_PRIMARY_KEY%$`, a column
 * type). A statement that does not parse with them is checked with stand-ins of the same length, so
 * that positions hold: `:name` → a parameter ($1), `:'name'` → the string 'name', `:"name"` → the
 * name "name", a template, Flyway or synapse placeholder → a name, the same for the same
 * placeholder in every file (so the tables it qualifies match across files). Findings name the
 * placeholder, not its stand-in.
 */
import type { Finding } from '../types';

/** A psql variable, or what psql leaves alone: quoted text, dollar-quoted bodies and comments. */
const PSQL_VARIABLE_OR_QUOTED = /'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\w*)\$[\s\S]*?\$\1\$|--[^\n]*|\/\*[\s\S]*?\*\/|(?<![:\w]):(['"]?)[A-Za-z_]\w*\2/g;
const PSQL_QUOTED_VARIABLE = /(^|[^:\w]):(['"])[A-Za-z_]\w*\2/;
const PSQL_VARIABLE = /(^|[^:\w]):[A-Za-z_]\w*/;
const TEMPLATE_PLACEHOLDER = /\{\{[^\n]*?\}\}|\$\{[A-Za-z_][\w.:-]*\}|\$%[A-Za-z_]\w*%\$/g;

/**
 * The statement with stand-ins for its placeholders, or undefined when it has none. `psqlNames`: a
 * `:name` stands for a name (`ALTER TABLE :tbl …`) instead of a value, for a statement that does
 * not parse with parameters there.
 */
export function withStandIns(source: string, psqlNames = false): string | undefined {
  let text = source.replace(TEMPLATE_PLACEHOLDER, nameStandIn);
  if (usesPsqlVariables(text)) text = withPsqlStandIns(text, psqlNames);
  return text === source ? undefined : text;
}

/** `x` and a hash of the placeholder, padded with `_` to its length: a name PostgreSQL accepts anywhere a name goes. */
function nameStandIn(placeholder: string): string {
  let hash = 0;
  for (let i = 0; i < placeholder.length; i++) hash = (Math.imul(hash, 31) + placeholder.charCodeAt(i)) >>> 0;
  return `x${hash.toString(36)}`.slice(0, placeholder.length).padEnd(placeholder.length, '_');
}

function withPsqlStandIns(source: string, asNames: boolean): string {
  return source.replace(PSQL_VARIABLE_OR_QUOTED, (match, _tag: string | undefined, quote: string | undefined) => {
    if (!match.startsWith(':')) return match;
    return quote ? ` ${match.slice(1)}` : asNames ? nameStandIn(match) : '$1'.padEnd(match.length);
  });
}

/** The name stand-ins of a statement's unquoted psql variables (see withStandIns), with the variable each replaces. */
export function psqlVariableNames(source: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const [match, , quote] of source.matchAll(PSQL_VARIABLE_OR_QUOTED)) if (match.startsWith(':') && !quote) names.set(nameStandIn(match), match);
  return names;
}

/** Whether a statement that failed to parse uses psql variables (a fallback check, not a lexer). */
function usesPsqlVariables(source: string): boolean {
  return PSQL_QUOTED_VARIABLE.test(source) || PSQL_VARIABLE.test(source.replace(/'(?:[^']|'')*'/g, "''"));
}

/** The name stand-ins of the file's template and Flyway placeholders, with the placeholder each replaces. */
export function placeholderNames(text: string): Map<string, string> {
  return new Map([...new Set(text.match(TEMPLATE_PLACEHOLDER))].map((placeholder) => [nameStandIn(placeholder), placeholder]));
}

/** A finding made from statements with stand-ins, naming the placeholders instead (`names`: see placeholderNames). */
export function withPlaceholderNames(finding: Finding, names: ReadonlyMap<string, string>): Finding {
  const named = (text: string): string => {
    for (const [standIn, placeholder] of names) text = text.replaceAll(standIn, placeholder);
    return text;
  };
  const { fixes, related, relatedHere, orElse } = finding;
  return {
    ...finding,
    message: named(finding.message),
    ...(fixes ? { fixes: fixes.map((fix) => ({ ...fix, title: named(fix.title), edits: fix.edits.map((e) => ({ ...e, newText: named(e.newText) })) })) } : {}),
    ...(related ? { related: related.map((r) => ({ ...r, message: named(r.message) })) } : {}),
    ...(relatedHere ? { relatedHere: relatedHere.map((r) => ({ ...r, message: named(r.message) })) } : {}),
    ...(orElse ? { orElse: withPlaceholderNames(orElse, names) } : {}),
  };
}
