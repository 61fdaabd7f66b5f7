import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOM, type Column, csvCell, csvHeaders, safeFileName, toCsv } from '#shared/http/csv';

/** A minimal RFC 4180 reader, to check that what we write reads back as written. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['张伟', '张伟'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line1\nline2', '"line1\nline2"'],
    ['cr\rhere', '"cr\rhere"'],
    ['', ''],
  ])('escapes %j as %j', (input, out) => {
    expect(csvCell(input)).toBe(out);
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+86 138', "'+86 138"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['=a,b', `"'=a,b"`],
  ])('defuses a formula-looking text %j', (input, out) => {
    expect(csvCell(input)).toBe(out);
  });

  it('writes numbers as numbers (a negative number is not prefixed), empties for no data', () => {
    expect(csvCell(95.24)).toBe('95.24');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(true)).toBe('true');
  });

  it('any text reads back as itself (after the defusing quote), never starting a formula', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const text = toCsv<[string, string]>(
          [
            { header: { zh: '甲', en: 'a' }, value: (r) => r[0] },
            { header: { zh: '乙', en: 'b' }, value: (r) => r[1] },
          ],
          [[a, b]],
        );
        const [, row] = parseCsv(text.slice(1));
        const expected = [a, b].map((s) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s));
        expect(row).toEqual(expected);
        for (const cell of row ?? []) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      }),
    );
  });
});

describe('toCsv', () => {
  const cols: Column<{ id: string; rate: number | null }>[] = [
    { header: { zh: '编号', en: 'id' }, value: (r) => r.id },
    { header: { zh: '满意率(%)', en: 'ratePct' }, value: (r) => r.rate },
  ];

  it('starts with the BOM, Chinese headers by default, CRLF after every line', () => {
    const text = toCsv(cols, [
      { id: 'E1', rate: 95.5 },
      { id: 'E,2', rate: null },
    ]);
    expect(text.startsWith(BOM)).toBe(true);
    expect(text).toBe(`${BOM}编号,满意率(%)\r\nE1,95.5\r\n"E,2",\r\n`);
  });

  it('English keys on request; an empty table is just the header', () => {
    expect(toCsv(cols, [], 'en')).toBe(`${BOM}id,ratePct\r\n`);
  });

  it('encodes as UTF-8 with the EF BB BF mark', () => {
    const bytes = Buffer.from(toCsv(cols, [{ id: '张', rate: 1 }]), 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });
});

describe('file names and headers', () => {
  it('keeps only safe characters in the attachment name', () => {
    expect(safeFileName('teams-2026-11.csv')).toBe('teams-2026-11.csv');
    expect(safeFileName('engineer-E 1"\r\n;x.csv')).toBe('engineer-E_1_x.csv');
    expect(safeFileName('../../etc/passwd')).toBe('etc_passwd');
    expect(safeFileName('张伟')).toBe('report');
  });

  it('declares CSV in UTF-8 as an attachment', () => {
    expect(csvHeaders('a.csv')).toMatchObject({
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="a.csv"',
    });
  });
});
