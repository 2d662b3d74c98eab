/**
 * The report's sign-in for marketers: a Cognito user pool with no self sign-up (ops invites each user), MFA with an
 * authenticator app required, a strong password policy and threat protection (the Plus feature plan); its managed
 * login on a Cognito domain; one public app client for the browser page at /admin (authorization code with PKCE, no
 * secret, tokens valid an hour); and the JWT authorizer that checks that client's access tokens on /admin/report.
 */
import { createHash } from 'node:crypto';
import { Aws, Duration, Fn, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  CfnUserPoolUser,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';

export interface ReportSignInProps {
  /** The report page's URL (`<public base URL>/admin`): where sign-in and sign-out return to. */
  pageUrl: string;
  settings: StageConfig['reportSignIn'];
  production: boolean;
  removalPolicy: RemovalPolicy;
}

/** The scopes the page asks for; the report's route requires `openid`, which only access tokens carry as a scope. */
export const REPORT_SCOPES = [OAuthScope.OPENID, OAuthScope.EMAIL];

export class ReportSignIn extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  /** For /admin/report: tokens of this pool, issued to this client. */
  readonly authorizer: HttpJwtAuthorizer;

  constructor(scope: Construct, id: string, props: ReportSignInProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `${stackName}-report`,
      // Ops invites each marketer (cdk.json or npm run admin-user): nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      mfa: Mfa.REQUIRED,
      // An authenticator app (TOTP), set up at the first sign-in. No SMS: no phone numbers, no SNS costs or role.
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        passwordHistorySize: 5,
        // How long the invitation's temporary password works.
        tempPasswordValidity: Duration.days(7),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Plus: threat protection (compromised credentials, adaptive authentication) blocks risky sign-ins.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: 'Your sign-in to the Nurture report',
        emailBody: [
          'You have been invited to the Nurture report.',
          `Open ${props.pageUrl} and sign in with {username} and the temporary password {####}.`,
          'You will choose your own password, then set up an authenticator app for the sign-in code.',
          'The temporary password works for 7 days.',
        ].join('<br><br>'),
      },
      deletionProtection: props.production,
      removalPolicy: props.removalPolicy,
    });

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: {
        domainPrefix: props.settings.domainPrefix ?? Fn.join('-', [stackName, Aws.ACCOUNT_ID]),
      },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });

    this.client = this.userPool.addClient('ReportPage', {
      // A browser page cannot keep a secret: a public client, with PKCE instead.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: REPORT_SCOPES,
        callbackUrls: [props.pageUrl],
        logoutUrls: [props.pageUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      // Short-lived: the page keeps only the access token, and signs in again after an hour.
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(1),
      enableTokenRevocation: true,
    });

    // Managed login (not the classic hosted UI) shows its pages only for a client with a style: Cognito's own.
    new CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    for (const email of props.settings.users) {
      // The construct id is a hash of the address, so the address stays out of logical ids.
      new CfnUserPoolUser(this, `User${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 12)}`, {
        userPoolId: this.userPool.userPoolId,
        username: email,
        userAttributes: [
          { name: 'email', value: email },
          { name: 'email_verified', value: 'true' },
        ],
        desiredDeliveryMediums: ['EMAIL'],
      });
    }

    this.authorizer = new HttpJwtAuthorizer('ReportSignIn', this.issuer, {
      jwtAudience: [this.client.userPoolClientId],
    });
  }

  /** The `iss` of the pool's tokens. */
  get issuer(): string {
    return `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
  }

  /** The managed login's base URL. */
  get signInUrl(): string {
    return this.domain.baseUrl();
  }
}
