#!/usr/bin/env node
// The `taskmill` command: the CLI compiled into dist/ (lib/cli/main.ts), see docs/cli.md.
/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry point, run as is by Node */
'use strict';
const { main } = require('../dist/lib/cli/main.js');

main(process.argv).then((code) => {
  process.exitCode = code;
});
