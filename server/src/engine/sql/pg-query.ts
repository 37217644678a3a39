/**
 * PostgreSQL's own parser, libpg-query's WebAssembly build, called directly instead of through
 * the package's JavaScript wrapper: the wrapper decodes and JSON.parses every tree, and about
 * half of a typical migration folder's tree text is queries (SELECT, EXPLAIN) that no rule
 * reads. Here a tree stays text until something reads it (see parse.ts).
 */
// @ts-expect-error The package publishes no types for its Emscripten module.
import createPgQueryModule from 'libpg-query/wasm/libpg-query.js';

/** The parts of the Emscripten module used here (the wasm_* functions of libpg-query's wasm build). */
interface PgQueryModule {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(size: number): number;
  _free(pointer: number): void;
  /** Returns a PgQueryParseResult*: { char *parse_tree; char *stderr_buffer; PgQueryError *error }. */
  _wasm_parse_query_raw(query: number): number;
  _wasm_free_parse_result(result: number): void;
  /** Returns a string: the PL/pgSQL tree as JSON, or an error message. */
  _wasm_parse_plpgsql(query: number): number;
  _wasm_free_string(text: number): void;
}

/**
 * A compiled parser (a WebAssembly.Module), as threads hand it to each other: a structured clone
 * shares its code. TypeScript declares the WebAssembly API only in its DOM libraries.
 */
export interface CompiledParser {
  readonly compiledWebAssembly: unique symbol;
}
declare const WebAssembly: { instantiate(module: CompiledParser, imports: object): Promise<object> };

export type RawParse =
  | { ok: true; /** libpg-query's JSON: `{"version":…,"stmts":[{"stmt":{"Kind":{…}},…},…]}`. */ json: string }
  | { ok: false; message: string; /** 0-based character (code point) offset, or 0 when PostgreSQL gave none. */ cursor: number };

let pg: PgQueryModule | undefined;
let loading: Promise<void> | undefined;
/** The compiled parser, when it was handed in: the CLI's threads share it (no thread compiles it again). */
let compiled: CompiledParser | undefined;

/**
 * Where the CLI's launcher (bin/rollout-guard.js) leaves the parser it started compiling before
 * the bundle loaded: the compilation runs on V8's background threads meanwhile.
 */
const LAUNCHER_COMPILED = Symbol.for('rollout-guard.pg-query.wasm');

/**
 * Instantiates the WebAssembly parser once; parseToJson and plpgsqlToJson need it done. `module`:
 * the parser already compiled (by the thread that started this one); else the launcher's; else the
 * Emscripten loader compiles libpg-query.wasm itself.
 */
export function loadPgQuery(module?: CompiledParser): Promise<void> {
  loading ??= (async () => {
    // A launcher whose compilation failed leaves the loader to try, and to report its own error.
    compiled = module ?? (await (globalThis as Record<symbol, Promise<CompiledParser> | undefined>)[LAUNCHER_COMPILED]?.catch(() => undefined));
    pg = await instantiate(compiled);
  })();
  return loading;
}

const createModule = createPgQueryModule as (options: object) => Promise<PgQueryModule>;

function instantiate(module: CompiledParser | undefined): Promise<PgQueryModule> {
  if (!module) return createModule({});
  return new Promise((resolve, reject) => {
    const instantiateWasm = (imports: object, receive: (instance: object) => void): object => {
      WebAssembly.instantiate(module, imports).then(receive, reject);
      return {}; // Emscripten: the instance comes asynchronously
    };
    createModule({ instantiateWasm }).then(resolve, reject);
  });
}

/** The compiled parser when it was handed in (see loadPgQuery), for threads to share. */
export const compiledPgQuery = (): CompiledParser | undefined => compiled;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** One input buffer in the parser's memory, grown as needed: most statements are short. */
let input = 0;
let inputSize = 0;

/** Copies `sql` into the parser's memory as a NUL-terminated UTF-8 string; returns its address. */
function write(module: PgQueryModule, sql: string): number {
  const needed = sql.length * 3 + 1; // UTF-16 code unit → at most 3 UTF-8 bytes
  if (needed > inputSize) {
    if (input) module._free(input);
    inputSize = Math.max(needed, 64 * 1024);
    input = module._malloc(inputSize);
    if (!input) throw new Error(`The SQL parser could not allocate ${inputSize} bytes`);
  }
  const { written } = encoder.encodeInto(sql, module.HEAPU8.subarray(input, input + inputSize - 1));
  module.HEAPU8[input + written] = 0;
  return input;
}

/** The NUL-terminated UTF-8 string at `address`. */
function read(module: PgQueryModule, address: number): string {
  const heap = module.HEAPU8; // read after the call: memory may have grown
  return decoder.decode(heap.subarray(address, heap.indexOf(0, address)));
}

function loaded(): PgQueryModule {
  if (!pg) throw new Error('The SQL parser is not loaded (call loadParser first)');
  return pg;
}

/** Parses SQL with PostgreSQL's grammar; the tree as JSON text, or PostgreSQL's error. */
export function parseToJson(sql: string): RawParse {
  const module = loaded();
  const result = module._wasm_parse_query_raw(write(module, sql));
  if (!result) throw new Error('The SQL parser ran out of memory');
  try {
    const words = module.HEAPU32;
    const tree = words[result >> 2]!;
    const error = words[(result >> 2) + 2]!;
    if (error) {
      // PgQueryError: { char *message; char *funcname; char *filename; int lineno; int cursorpos; … }
      const message = read(module, words[error >> 2]!);
      const cursor = words[(error >> 2) + 4]! | 0;
      return { ok: false, message, cursor: cursor > 0 ? cursor - 1 : 0 };
    }
    return { ok: true, json: read(module, tree) };
  } finally {
    module._wasm_free_parse_result(result);
  }
}

/** Parses a CREATE FUNCTION or DO statement's PL/pgSQL body; its tree as JSON text, or the error message. */
export function plpgsqlToJson(sql: string): { json: string } | { error: string } {
  const module = loaded();
  const result = module._wasm_parse_plpgsql(write(module, sql));
  if (!result) throw new Error('The SQL parser ran out of memory');
  try {
    const text = read(module, result);
    // Success is always a JSON object; anything else is an error message.
    return text.startsWith('{') ? { json: text } : { error: text };
  } finally {
    module._wasm_free_string(result);
  }
}
