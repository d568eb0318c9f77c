/**
 * Server 400 `details` mapped to form fields: `{ "objectives.0.indicators.1.unit": ["..."] }`.
 * The services answer `[{ field, problems }]`; other common shapes are read too.
 */
export type FieldErrors = Record<string, string[]>;

function normalisePath(path: string): string {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/^(body|dto)\./, '')
    .replace(/^\./, '');
}

function add(errors: FieldErrors, path: string, messages: string[]): void {
  if (messages.length === 0) return;
  const key = normalisePath(path);
  errors[key] = [...(errors[key] ?? []), ...messages];
}

function messagesOf(item: Record<string, unknown>): string[] {
  if (Array.isArray(item.problems)) return item.problems.map(String);
  if (typeof item.message === 'string') return [item.message];
  if (Array.isArray(item.messages)) return item.messages.map(String);
  if (Array.isArray(item.errors)) return item.errors.map(String);
  if (item.constraints && typeof item.constraints === 'object') return Object.values(item.constraints).map(String);
  return [];
}

function walk(errors: FieldErrors, details: unknown, prefix: string): void {
  if (Array.isArray(details)) {
    for (const item of details) {
      if (typeof item === 'string') add(errors, prefix, [item]);
      else if (item && typeof item === 'object') {
        const entry = item as Record<string, unknown>;
        const raw = entry.field ?? entry.property ?? entry.path ?? entry.name ?? '';
        const own = Array.isArray(raw) ? raw.join('.') : String(raw);
        const path = [prefix, own].filter(Boolean).join('.');
        add(errors, path, messagesOf(entry));
        if (entry.children) walk(errors, entry.children, path);
      }
    }
    return;
  }
  if (details && typeof details === 'object') {
    const record = details as Record<string, unknown>;
    const nested = record.fields ?? record.errors;
    if (nested) return walk(errors, nested, prefix);
    for (const [key, value] of Object.entries(record)) {
      const path = [prefix, key].filter(Boolean).join('.');
      if (typeof value === 'string') add(errors, path, [value]);
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) add(errors, path, value as string[]);
      else walk(errors, value, path);
    }
  }
}

export function toFieldErrors(details: unknown): FieldErrors {
  const errors: FieldErrors = {};
  walk(errors, details, '');
  return errors;
}

/**
 * After a refused save, takes the keyboard to the first field marked invalid, once React has
 * marked it: a person who pressed Save at the bottom of a long form lands where the fix is.
 */
export function focusFirstInvalid(container: HTMLElement | null): void {
  requestAnimationFrame(() => container?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}
