// Lua scripts are read from disk at runtime, so the build copies them next to the compiled broker.
const fs = require('fs');
const path = require('path');
const from = path.join(__dirname, '..', 'lib', 'broker', 'scripts');
const to = path.join(__dirname, '..', 'dist', 'lib', 'broker', 'scripts');
fs.mkdirSync(to, { recursive: true });
for (const file of fs.readdirSync(from).filter((f) => f.endsWith('.lua'))) {
  fs.copyFileSync(path.join(from, file), path.join(to, file));
}
