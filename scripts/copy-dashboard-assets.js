// The dashboard's page script and styles are plain files served as they are (no build step
// for users), so the build copies them next to the compiled dashboard module.
const fs = require('fs');
const path = require('path');
const from = path.join(__dirname, '..', 'lib', 'dashboard', 'assets');
const to = path.join(__dirname, '..', 'dist', 'lib', 'dashboard', 'assets');
fs.rmSync(to, { recursive: true, force: true });
fs.cpSync(from, to, { recursive: true });
