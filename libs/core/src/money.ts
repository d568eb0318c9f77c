/** Integer cents to "$1,234.56"; the dollars are divided out exactly, never rounded through a float. */
export function formatUsd(cents: number): string {
  const abs = Math.abs(cents);
  const rest = abs % 100;
  const dollars = (abs - rest) / 100;
  return `${cents < 0 ? '-' : ''}$${dollars.toLocaleString('en-US')}.${String(rest).padStart(2, '0')}`;
}
