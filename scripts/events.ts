import { loadConfig } from '#libs/common';
import { ParkedEvents } from '#libs/messaging';
import { cliArgs } from './cli-args.js';
import { isServiceName } from './service-registry.js';

const usage = 'npm run events -- parked <service> | replay <service> [<jobId>|--all]';
const { values, positionals } = cliArgs({ all: { type: 'boolean' } }, usage);
const [command, service, jobId] = positionals;
if (!isServiceName(service) || !['parked', 'replay'].includes(command) || (command === 'replay' && !jobId && !values.all)) {
  process.stderr.write(`Usage: ${usage}\n`);
  process.exit(2);
}
const config = loadConfig(service);
const parked = new ParkedEvents(service, config);
try {
  if (command === 'parked') {
    const events = await parked.list(500);
    process.stdout.write(`${JSON.stringify(events, null, 2)}\n${events.length} parked event(s) in ${service}-events\n`);
  } else {
    const replayed = await parked.replay(values.all ? undefined : jobId);
    process.stdout.write(`${replayed} event(s) sent back to ${service}-events\n`);
  }
} finally {
  await parked.close();
}
