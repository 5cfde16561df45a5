import { describe, expect, it } from 'vitest';
import { graphEndpoint, needsDisabledInstanceDiscovery } from './endpoint';

describe('graphEndpoint', () => {
  it.each([
    [
      undefined,
      {
        baseUrl: 'https://graph.microsoft.com',
        version: 'v1.0',
        hostname: 'graph.microsoft.com',
        scope: 'https://graph.microsoft.com/.default',
      },
    ],
    [
      'https://graph.microsoft.us/v1.0',
      {
        baseUrl: 'https://graph.microsoft.us',
        version: 'v1.0',
        hostname: 'graph.microsoft.us',
        scope: 'https://graph.microsoft.us/.default',
      },
    ],
    [
      'https://microsoftgraph.chinacloudapi.cn/beta/',
      {
        baseUrl: 'https://microsoftgraph.chinacloudapi.cn',
        version: 'beta',
        hostname: 'microsoftgraph.chinacloudapi.cn',
        scope: 'https://microsoftgraph.chinacloudapi.cn/.default',
      },
    ],
    [
      'https://localhost:8443/usgov/v1.0',
      { baseUrl: 'https://localhost:8443/usgov', version: 'v1.0', hostname: 'localhost', scope: 'https://localhost:8443/.default' },
    ],
  ])('splits %s', (url, expected) => {
    expect(graphEndpoint(url)).toEqual(expected);
  });

  it.each(['http://graph.microsoft.com/v1.0', 'https://graph.microsoft.com'])('refuses %s', (url) => {
    expect(() => graphEndpoint(url)).toThrow(/graphBaseUrl/);
  });
});

describe('needsDisabledInstanceDiscovery', () => {
  it.each([
    [undefined, false],
    ['https://login.microsoftonline.com', false],
    ['https://login.microsoftonline.us/', false],
    ['https://login.chinacloudapi.cn', false],
    ['https://localhost:8443', true],
    ['https://login.example.org', true],
  ])('%s → %s', (host, expected) => {
    expect(needsDisabledInstanceDiscovery(host)).toBe(expected);
  });
});
