#!/usr/bin/env node
'use strict';
// The `taskmill` command: the CLI compiled into dist/ (lib/cli/main.ts).
const { main } = require('../dist/lib/cli/main.js');

main(process.argv).then((code) => {
  process.exitCode = code;
});
