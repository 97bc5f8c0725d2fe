import { readFileSync } from 'fs';
import { join } from 'path';

/** The dashboard's two static files, shipped in the package next to this module (no build step). */
export type AssetName = 'dashboard.js' | 'dashboard.css';

const loaded = new Map<AssetName, string>();

/** An asset's text, read from disk once. */
export function assetText(name: AssetName): string {
  let text = loaded.get(name);
  if (text === undefined) {
    text = readFileSync(join(__dirname, 'assets', name), 'utf8');
    loaded.set(name, text);
  }
  return text;
}
