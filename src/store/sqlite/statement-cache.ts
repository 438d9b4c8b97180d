import type BetterSqlite3 from 'better-sqlite3';

/** One better-sqlite3 connection plus its prepared statements, cached by SQL text. */
export class StatementCache {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(readonly db: BetterSqlite3.Database) {}

  /** A statement returning rows as objects (or run for its changes). */
  prep(sql: string): BetterSqlite3.Statement {
    return this.cached('o', sql);
  }

  /** A statement returning only the first column of each row. */
  pluck(sql: string): BetterSqlite3.Statement {
    return this.cached('p', sql);
  }

  /** A statement returning rows as arrays (the fastest way to read many rows). */
  raw(sql: string): BetterSqlite3.Statement {
    return this.cached('r', sql);
  }

  private cached(mode: 'o' | 'p' | 'r', sql: string): BetterSqlite3.Statement {
    const key = mode + sql;
    let stmt = this.statements.get(key);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (mode === 'p') stmt.pluck(true);
      else if (mode === 'r') stmt.raw(true);
      this.statements.set(key, stmt);
    }
    return stmt;
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}
