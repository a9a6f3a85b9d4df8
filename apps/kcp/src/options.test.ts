import { describe, expect, it } from 'vitest';
import { OptionsError, parseStartOptions } from './options';

describe('kcp start service account flags', () => {
  it('default to kcp’s issuer, a generated key and uncapped lifetimes', () => {
    const options = parseStartOptions([]);
    expect(options).toMatchObject({
      serviceAccountIssuer: 'https://kcp.default.svc',
      serviceAccountSigningKeyFile: undefined,
      serviceAccountKeyFiles: [],
      apiAudiences: [],
      serviceAccountMaxTokenExpiration: 0,
      rootCAFile: undefined,
    });
  });

  it('read the issuer, keys, audiences and the longest lifetime', () => {
    const options = parseStartOptions([
      '--service-account-issuer=https://shard.example',
      '--service-account-signing-key-file=/keys/sa.key',
      '--service-account-key-file=/keys/old.pub,/keys/other.pub',
      '--api-audiences=https://shard.example,vault',
      '--service-account-max-token-expiration=1h30m',
      '--root-ca-file=/pki/bundle.crt',
    ]);
    expect(options).toMatchObject({
      serviceAccountIssuer: 'https://shard.example',
      serviceAccountSigningKeyFile: '/keys/sa.key',
      serviceAccountKeyFiles: ['/keys/old.pub', '/keys/other.pub'],
      apiAudiences: ['https://shard.example', 'vault'],
      serviceAccountMaxTokenExpiration: 5400,
      rootCAFile: '/pki/bundle.crt',
    });
  });

  it.each(['9m', '1d', 'soon', ''])('refuse a longest lifetime of %j', (value) => {
    expect(() => parseStartOptions([`--service-account-max-token-expiration=${value}`])).toThrow(
      new OptionsError(`--service-account-max-token-expiration: a duration of at least 10m (e.g. 1h, 3600s), got ${JSON.stringify(value)}`),
    );
  });
});
