#!/usr/bin/env node
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('rollout-guard: the CLI is not built yet. Run `npm run build` (npm ci does it) in ' + path.dirname(__dirname) + '\n');
  process.exit(2);
}
require(cli);
