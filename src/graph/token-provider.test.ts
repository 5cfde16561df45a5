import { AuthenticationError, AuthenticationRequiredError, CredentialUnavailableError, type TokenCredential } from '@azure/identity';
import { GraphClientError } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { tokenFailure, tokenProvider } from './token-provider';

const secret = 'Q~very.secret_value';

describe('tokenFailure', () => {
  it('maps a refusal reported through MSAL (AuthenticationRequiredError) to configuration Unauthorized, secret scrubbed', () => {
    const error = new AuthenticationRequiredError({
      scopes: ['https://graph.microsoft.com/.default'],
      message: `invalid_client: Error(s): 7000215 - Description: AADSTS7000215: Invalid client secret provided. (got ${secret})`,
    });
    const mapped = tokenFailure(error, secret);
    expect(mapped).toMatchObject({ kind: 'configuration', code: 'Unauthorized' });
    expect(mapped.message).toBe("The token endpoint refused the app's client credentials (invalid_client, AADSTS7000215)");
    expect(JSON.stringify(mapped.toJSON())).not.toContain(secret);
  });

  it('maps an AuthenticationError by its status and OAuth error', () => {
    const refused = new AuthenticationError(401, {
      error: 'invalid_client',
      error_description: 'AADSTS7000215: Invalid client secret provided.',
    });
    expect(tokenFailure(refused, secret)).toMatchObject({ kind: 'configuration', code: 'Unauthorized', status: 401 });
    const outage = new AuthenticationError(503, { error: 'temporarily_unavailable', error_description: 'try later' });
    expect(tokenFailure(outage, secret)).toMatchObject({ kind: 'transient', code: 'SourceUnavailable', status: 503 });
  });

  it('treats an unreachable authority as transient', () => {
    const error = new CredentialUnavailableError('endpoints_resolution_error: could not resolve endpoints');
    expect(tokenFailure(error, secret)).toMatchObject({ kind: 'transient', code: 'SourceUnavailable' });
  });
});

describe('tokenProvider', () => {
  it('returns the credential token for the scope', async () => {
    const scopes: (string | string[])[] = [];
    const credential: TokenCredential = {
      getToken: async (scope) => {
        scopes.push(scope);
        return { token: 'at', expiresOnTimestamp: Date.now() + 60_000 };
      },
    };
    expect(await tokenProvider(credential, 'https://graph.microsoft.us/.default', secret).getAccessToken()).toBe('at');
    expect(scopes).toEqual(['https://graph.microsoft.us/.default']);
  });

  it('throws the failure in a GraphClientError that carries the ProvisioningError', async () => {
    const credential: TokenCredential = {
      getToken: async () => {
        throw new AuthenticationError(400, { error: 'unauthorized_client', error_description: 'AADSTS700016: not found' });
      },
    };
    const error = await tokenProvider(credential, 's/.default', secret)
      .getAccessToken()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphClientError);
    expect((error as GraphClientError).customError).toMatchObject({ kind: 'configuration', code: 'Unauthorized' });
  });
});
