// Lua scripts (and their includes) are read from disk at runtime, so the build copies the
// scripts folder next to the compiled broker, replacing what an earlier build left there.
const fs = require('fs');
const path = require('path');
const from = path.join(__dirname, '..', 'lib', 'broker', 'scripts');
const to = path.join(__dirname, '..', 'dist', 'lib', 'broker', 'scripts');
fs.rmSync(to, { recursive: true, force: true });
fs.cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('.ts') });
