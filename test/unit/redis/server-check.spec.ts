import { serverVersion, versionAtLeast } from '../../../lib/redis/server-check';

describe('server check', () => {
  it.each([
    ['7.0.15', '6.2.0', true],
    ['6.2.0', '6.2.0', true],
    ['6.2', '6.2.0', true],
    ['6.0.16', '6.2.0', false],
    ['5.0.7', '6.2.0', false],
    ['10.0.0', '6.2.0', true],
    ['6.10.0', '6.2.0', true],
  ])('compares %s with %s numerically (at least: %s)', (version, minimum, expected) => {
    expect(versionAtLeast(version, minimum)).toBe(expected);
  });

  it('reads the version from INFO server, Redis or Valkey', () => {
    expect(serverVersion('# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:0\r\n')).toBe(
      '7.0.15',
    );
    expect(
      serverVersion(
        '# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.0.1\r\n',
      ),
    ).toBe('7.2.4');
    expect(serverVersion('# Server\r\n')).toBeUndefined();
  });
});
