import { readFileSync } from 'fs';
import { join } from 'path';

/** The password the ACL tests fill in for the documented `>password` placeholder. */
export const ACL_PASSWORD = 'acl-Pa55word';

/** The prefix the documented lines are written for: `~{taskmill}:* ~{taskmill:* &{taskmill}:*`. */
const DOCUMENTED_PREFIX = 'taskmill';

/**
 * The `ACL SETUSER` lines of a page of the repository (`docs/operations.md`, `README.md`), by
 * their user name: the ACL tests run what the docs say, so the two cannot drift apart.
 */
export function documentedAclLines(page: string): Map<string, string[]> {
  const text = readFileSync(join(__dirname, '../..', page), 'utf8');
  const lines = new Map<string, string[]>();
  for (const [line] of text.matchAll(/^ACL SETUSER \S+ .*$/gm)) {
    const words = line.trim().split(/\s+/).slice(2);
    lines.set(words[0], words.slice(1));
  }
  return lines;
}

/**
 * The rules of the line for user `name` in docs/operations.md, with the password placeholder
 * filled in and, for another `prefix`, the prefix put in the three patterns as the docs say
 * (tests on the shared cluster need a prefix of their own).
 */
export function documentedRules(name: string, prefix = DOCUMENTED_PREFIX): string[] {
  const rules = documentedAclLines('docs/operations.md').get(name);
  if (!rules) throw new Error(`docs/operations.md has no "ACL SETUSER ${name} …" line`);
  return rules.map((rule) => {
    if (rule === '>password') return `>${ACL_PASSWORD}`;
    if (/^[~&]/.test(rule)) return rule.split(`{${DOCUMENTED_PREFIX}`).join(`{${prefix}`);
    return rule;
  });
}

/**
 * The rules for `redisFunctions: false`, as docs/operations.md says to make them: `+evalsha
 * +eval` in place of `+fcall +function|load`.
 */
export function withoutFunctions(rules: string[]): string[] {
  const at = rules.indexOf('+fcall');
  if (at === -1 || rules[at + 1] !== '+function|load') {
    throw new Error('the documented line has no "+fcall +function|load" to swap');
  }
  return [...rules.slice(0, at), '+evalsha', '+eval', ...rules.slice(at + 2)];
}
