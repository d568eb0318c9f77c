import 'reflect-metadata';
import { loadConfig } from '#libs/common';
import { createGatewayApp } from './gateway.app.js';

const config = loadConfig('gateway');
const app = await createGatewayApp(config);
await app.listen(config.port, config.host);
