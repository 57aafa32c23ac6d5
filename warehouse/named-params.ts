/**
 * Rewrites BigQuery-style `@name` parameters to DuckDB's `$name`, leaving string literals, quoted identifiers
 * and comments alone. Returns the names found, so missing values fail before the query runs.
 */
export function toDuckDbParams(sql: string): { sql: string; names: string[] } {
  let out = '';
  const names: string[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === "'" || ch === '"' || ch === '`') {
      const close = sql.indexOf(ch, i + 1);
      const end = close === -1 ? sql.length : close + 1;
      out += sql.slice(i, end);
      i = end;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      const end = nl === -1 ? sql.length : nl;
      out += sql.slice(i, end);
      i = end;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      const end = close === -1 ? sql.length : close + 2;
      out += sql.slice(i, end);
      i = end;
    } else if (ch === '@' && /[A-Za-z_]/.test(sql[i + 1] ?? '') && !/[A-Za-z0-9_@]/.test(sql[i - 1] ?? '')) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))!;
      names.push(m[0]);
      out += `$${m[0]}`;
      i += 1 + m[0].length;
    } else {
      out += ch;
      i++;
    }
  }
  return { sql: out, names };
}
