import { toCsv } from '../../console/src/lib/csv.js';

// The console builds finance's CSV of released payments in the browser; what a spreadsheet makes of it is tested here.
describe('console CSV', () => {
  it('writes RFC 4180: quoted fields where needed, doubled quotes, CRLF lines, empty for missing values', () => {
    expect(toCsv(['a', 'b', 'c'], [['plain', 'with, comma', 'say "hi"'], [1, null, 'two\nlines']])).toBe(
      'a,b,c\r\nplain,"with, comma","say ""hi"""\r\n1,,"two\nlines"\r\n',
    );
  });

  it('keeps text a spreadsheet would run as a formula as text, and leaves numbers as they are', () => {
    expect(toCsv(['purpose', 'amount'], [['=HYPERLINK("http://x","pay")', -5], ['+1', 0], ['@SUM(A1)', 3], ['-2', 1]])).toBe(
      `purpose,amount\r\n"'=HYPERLINK(""http://x"",""pay"")",-5\r\n'+1,0\r\n'@SUM(A1),3\r\n'-2,1\r\n`,
    );
  });
});
