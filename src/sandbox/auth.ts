/**
 * The sandbox's identity platform: the tenant's OpenID configuration and the v2.0 token endpoint
 * for the client-credentials grant. Issued tokens are bound to the Graph origin of their
 * `scope` (`https://host/.default`), so a token asked for the wrong cloud is refused by Graph.
 */
import { randomBytes } from 'node:crypto';
import { tokenError, type SandboxResponse } from './shapes';

export interface AppRegistration {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** `GET {authority}/{tenant}/v2.0/.well-known/openid-configuration`. */
export function openIdConfiguration(authority: string, tenantId: string): SandboxResponse {
  const base = `${authority}/${tenantId}`;
  return {
    status: 200,
    body: {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${authority}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        'sub',
        'iss',
        'cloud_instance_name',
        'cloud_instance_host_name',
        'cloud_graph_host_name',
        'msgraph_host',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'acr',
        'nonce',
        'preferred_username',
        'name',
        'tid',
        'ver',
        'at_hash',
        'c_hash',
        'email',
      ],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    },
  };
}

/** Issues and checks bearer tokens. */
export class TokenIssuer {
  /** access token → the Graph origin it is for. */
  private readonly issued = new Map<string, string>();

  constructor(private readonly app: AppRegistration) {}

  /** `POST {authority}/{tenant}/oauth2/v2.0/token` with a form body. */
  token(tenantId: string, form: URLSearchParams): SandboxResponse {
    if (tenantId !== this.app.tenantId) {
      return tokenError(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenantId}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return tokenError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    const clientId = form.get('client_id');
    if (clientId !== this.app.clientId) {
      return tokenError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenantId}'.`,
      );
    }
    if (form.get('client_secret') !== this.app.clientSecret) {
      return tokenError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    const scope = form.get('scope') ?? '';
    const audience = scope
      .split(' ')
      .find((s) => s.endsWith('/.default'))
      ?.slice(0, -'/.default'.length);
    if (!audience) {
      return tokenError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const accessToken = randomBytes(24).toString('base64url');
    this.issued.set(accessToken, audience);
    return { status: 200, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken } };
  }

  /** Why Graph on `origin` refuses this Authorization header, or undefined when it accepts it. */
  refusal(authorization: string | undefined, origin: string): string | undefined {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return 'Access token is empty.';
    const audience = this.issued.get(token);
    if (audience === undefined) return 'IDX14100: JWT is not well formed, there are no dots (.).';
    if (audience.toLowerCase() !== origin.toLowerCase()) return 'Access token validation failure. Invalid audience.';
    return undefined;
  }
}
