import { parseArgs } from 'node:util';

/** `--name value` options and positionals of a CLI command, with a usage line on error. */
export function cliArgs<T extends Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>>(options: T, usage: string) {
  try {
    return parseArgs({ options, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nUsage: ${usage}\n`);
    process.exit(2);
  }
}
