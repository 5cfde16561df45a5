/**
 * The Graph client's auth provider: an Azure `TokenCredential` asked for `{graph origin}/.default`
 * (the credential caches and renews the token). A refused credential becomes a configuration
 * error that names the identity platform's error code, never the secret.
 */
import type { AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { AuthenticationError, AuthenticationRequiredError, type TokenCredential } from '@azure/identity';
import { ProvisioningError } from '../errors/index';
import { carry, redact } from './errors';

/** OAuth errors that mean the app registration or its credentials are wrong. */
const CREDENTIAL_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'invalid_request',
  'invalid_scope',
  'invalid_grant',
  'unsupported_grant_type',
]);

/**
 * A token acquisition failure as a ProvisioningError. `@azure/identity` reports a refusal from
 * the token endpoint either as an AuthenticationError (status + OAuth error) or, through MSAL,
 * as an AuthenticationRequiredError whose message starts with the OAuth error code.
 */
export function tokenFailure(error: unknown, secret: string): ProvisioningError {
  let oauthError: string | undefined;
  let status: number | undefined;
  let text: string;
  if (error instanceof AuthenticationError) {
    oauthError = error.errorResponse.error;
    status = error.statusCode;
    text = `${oauthError}: ${error.errorResponse.errorDescription}`;
  } else {
    text = error instanceof Error ? error.message : String(error);
    if (error instanceof AuthenticationRequiredError) oauthError = /^([a-z_]+):/.exec(text)?.[1];
  }
  const detail = redact(text, secret);
  const reason = [oauthError ?? status, /AADSTS\d+/.exec(text)?.[0]].filter((part) => part !== undefined).join(', ');
  const refused = (oauthError !== undefined && CREDENTIAL_ERRORS.has(oauthError)) || status === 400 || status === 401;
  return new ProvisioningError({
    peer: 'identity platform',
    ...(refused
      ? {
          kind: 'configuration',
          code: 'Unauthorized',
          message: `The token endpoint refused the app's client credentials (${reason})`,
          detail,
          ...(status !== undefined && { status }),
        }
      : {
          kind: 'transient',
          code: 'SourceUnavailable',
          message: `No token from the identity platform${oauthError ? ` (${oauthError})` : ''}`,
          detail,
          ...(status !== undefined && { status }),
        }),
  });
}

/** An auth provider for `Client.initWithMiddleware` over a token credential. */
export function tokenProvider(credential: TokenCredential, scope: string, secret: string): AuthenticationProvider {
  return {
    async getAccessToken() {
      let token;
      try {
        token = await credential.getToken(scope);
      } catch (error) {
        throw carry(tokenFailure(error, secret));
      }
      if (!token) throw carry(tokenFailure(new Error('the credential returned no token'), secret));
      return token.token;
    },
  };
}
