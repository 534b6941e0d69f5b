// RFC 4180 CSV: fields separated by commas, records ended by CRLF; a field holding a comma, a
// double quote, CR or LF is enclosed in double quotes, with each double quote inside doubled.
// (No CSV library is installed; the rule is this small.)

const needsQuotes = /[",\r\n]/

export function csvField(value: string): string {
  return needsQuotes.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`
}
