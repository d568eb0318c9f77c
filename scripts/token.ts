import { ROLES, type Role } from '#libs/contracts';
import { signToken } from '#libs/auth';
import { loadConfig } from '#libs/common';
import { cliArgs } from './cli-args.js';

const usage = 'npm run token -- --sub alice --roles grant_manager[,reviewer] [--org "Example Org"] [--name "Alice"] [--expires 12h]';
const { values } = cliArgs(
  { sub: { type: 'string' }, roles: { type: 'string' }, org: { type: 'string' }, name: { type: 'string' }, expires: { type: 'string' } },
  usage,
);
const roles = (values.roles ?? '').split(',').filter(Boolean);
const unknown = roles.filter((r) => !ROLES.includes(r as Role));
if (!values.sub || roles.length === 0 || unknown.length) {
  process.stderr.write(`${unknown.length ? `Unknown roles: ${unknown.join(', ')} (known: ${ROLES.join(', ')})\n` : ''}Usage: ${usage}\n`);
  process.exit(2);
}
const config = loadConfig('gateway');
process.stdout.write(
  `${signToken(
    { sub: values.sub, roles: roles as Role[], org: values.org, name: values.name },
    config.jwtSecret,
    (values.expires ?? '12h') as `${number}h`,
  )}\n`,
);
