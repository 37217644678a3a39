// The part of node-postgres (`pg`, which ships no types) that the migration runner uses.
declare module 'pg' {
  export interface ClientConfig {
    connectionString?: string;
    application_name?: string;
    connectionTimeoutMillis?: number;
    keepAlive?: boolean;
  }

  export interface FieldDef {
    name: string;
  }

  export interface QueryResult<R> {
    rows: R[];
    rowCount: number | null;
    fields: FieldDef[];
  }

  export interface QueryConfig {
    text: string;
    values?: unknown[];
    name?: string;
  }

  export class Client {
    constructor(config?: ClientConfig);
    readonly processID: number | null;
    connect(): Promise<void>;
    query<R = Record<string, unknown>>(text: string | QueryConfig, values?: unknown[]): Promise<QueryResult<R>>;
    end(): Promise<void>;
    on(event: 'error', listener: (error: Error) => void): this;
  }

  export class DatabaseError extends Error {
    code: string | undefined;
    detail: string | undefined;
    hint: string | undefined;
    position: string | undefined;
  }

  const pg: { Client: typeof Client; DatabaseError: typeof DatabaseError };
  export default pg;
}
