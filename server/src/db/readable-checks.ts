/**
 * `ALTER TABLE … ADD CONSTRAINT <table>_<column>_readable CHECK (…) NOT VALID` for each column:
 * the guards of migrations 4 and 5 on the values pulls send. NOT VALID: rows already stored are
 * not re-read at the upgrade (which would stop the server on one bad row); docs/server.md says
 * how to check them afterwards.
 */
export function readableChecks(
  columnsByTable: Record<string, readonly string[]>,
  check: (column: string) => string
): string {
  return Object.entries(columnsByTable)
    .map(([table, columns]) =>
      columns
        .map(
          (column) =>
            `ALTER TABLE ${table} ADD CONSTRAINT ${table}_${column}_readable CHECK (${check(column)}) NOT VALID;`
        )
        .join('\n')
    )
    .join('\n')
}
