/**
 * The report's sign-in in the synthesized templates (issue #18): a Cognito user pool per stage that only ops can add
 * users to, with MFA (an authenticator app) required, a strong password policy and threat protection; managed login
 * with one public app client for the /admin page (code grant, PKCE, no secret); and API Gateway's JWT authorizer on
 * the report's route, IAM on the scripts' route, and nothing on the sign-in page itself, which holds no data.
 */
import { describe, expect, it } from 'vitest';
import { parseStages, readStages } from '../../lib/config.ts';
import { getAtt, logicalId, prodFixture, ref, synth, testContext } from './synth.ts';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };

const stages = parseStages(testContext.nurture);
const marketers = ['maria@nurture-fixture-clinic.com', 'sam@nurture-fixture-clinic.com'];
/** The dev stage with two marketers listed in its settings, and a domain prefix of its own. */
const withUsers = { ...stages.dev!, reportSignIn: { users: marketers, domainPrefix: 'clinic-report-dev' } };
const app = synth({ nurture: { stages: { ...(testContext.nurture as any).stages, 'with-users': withUsers } } });
const dev = app.template('dev');
const prod = app.template('prod');
const devStack = app.stacks.dev!;
const prodStack = app.stacks.prod!;

const resources = (template: typeof dev, type: string) =>
  Object.entries(template.findResources(type)) as [string, Resource][];
const only = (template: typeof dev, type: string): [string, Resource] => {
  const found = resources(template, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const poolId = logicalId(devStack, devStack.reportSignIn.userPool);
const clientId = logicalId(devStack, devStack.reportSignIn.client);

describe('the user pool', () => {
  const [, pool] = only(dev, 'AWS::Cognito::UserPool');

  it('has no self sign-up: only an administrator creates users, and Cognito emails them an invitation', () => {
    expect(pool.Properties.AdminCreateUserConfig).toMatchObject({
      AllowAdminCreateUserOnly: true,
      InviteMessageTemplate: {
        EmailSubject: 'Your sign-in to the Nurture report',
        EmailMessage: expect.anything(),
      },
    });
    // The invitation says where to sign in: the stage's /admin page.
    expect(JSON.stringify(pool.Properties.AdminCreateUserConfig.InviteMessageTemplate.EmailMessage)).toContain(
      '/admin and sign in with {username} and the temporary password {####}',
    );
  });

  it('requires MFA with an authenticator app (TOTP), and offers no SMS', () => {
    expect(pool.Properties.MfaConfiguration).toBe('ON');
    expect(pool.Properties.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.Properties.SmsConfiguration).toBeUndefined();
  });

  it('has a strong password policy: 14 characters of every class, not one of the last 5, invitations valid 7 days', () => {
    expect(pool.Properties.Policies.PasswordPolicy).toEqual({
      MinimumLength: 14,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      PasswordHistorySize: 5,
      TemporaryPasswordValidityDays: 7,
    });
  });

  it('is on the Plus plan with threat protection enforced, and signs in by email', () => {
    expect(pool.Properties.UserPoolTier).toBe('PLUS');
    expect(pool.Properties.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
    expect(pool.Properties.UsernameAttributes).toEqual(['email']);
    expect(pool.Properties.AccountRecoverySetting).toEqual({
      RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }],
    });
  });

  it('is kept, and protected from deletion, in production only', () => {
    const [, prodPool] = only(prod, 'AWS::Cognito::UserPool');
    expect(prodPool.Properties.DeletionProtection).toBe('ACTIVE');
    expect(prodPool.DeletionPolicy).toBe('Retain');
    expect(pool.Properties.DeletionProtection).toBe('INACTIVE');
    expect(pool.DeletionPolicy).toBe('Delete');
  });

  it('keeps its logical id (a new one is a new, empty pool: every marketer invited again)', () => {
    expect(poolId).toBe('ReportSignInUserPool57240893');
    expect(logicalId(prodStack, prodStack.reportSignIn.userPool)).toBe(poolId);
  });
});

describe('managed login and the app client', () => {
  it('the domain serves managed login (version 2), with Cognito’s own style for the client', () => {
    const [, domain] = only(dev, 'AWS::Cognito::UserPoolDomain');
    expect(domain.Properties).toMatchObject({ UserPoolId: ref(poolId), ManagedLoginVersion: 2 });
    // Unset domainPrefix: the stack's name and the account id.
    expect(domain.Properties.Domain).toEqual({ 'Fn::Join': ['-', ['nurture-dev', ref('AWS::AccountId')]] });
    const [, branding] = only(dev, 'AWS::Cognito::ManagedLoginBranding');
    expect(branding.Properties).toEqual({
      UserPoolId: ref(poolId),
      ClientId: ref(clientId),
      UseCognitoProvidedValues: true,
    });
  });

  it('the client is public (no secret) and uses the code grant only, returning to the stage’s /admin page', () => {
    const [, prodClient] = only(prod, 'AWS::Cognito::UserPoolClient');
    expect(prodClient.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email'],
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: [`https://${prodFixture.customDomain.domainName}/admin`],
      LogoutURLs: [`https://${prodFixture.customDomain.domainName}/admin`],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
    });
    // No password sent to Cognito by the client itself (no USER_PASSWORD_AUTH): managed login does the signing in.
    expect(prodClient.Properties.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
  });

  it('issues tokens that live an hour', () => {
    const [, client] = only(dev, 'AWS::Cognito::UserPoolClient');
    expect(client.Properties).toMatchObject({
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });
  });

  it('dev, with no custom domain, returns to the execute-api URL’s /admin', () => {
    const [, client] = only(dev, 'AWS::Cognito::UserPoolClient');
    expect(client.Properties.CallbackURLs).toEqual([
      { 'Fn::Join': ['', [getAtt(logicalId(devStack, devStack.api), 'ApiEndpoint'), '/admin']] },
    ]);
  });
});

describe('users listed in the stage settings', () => {
  const template = app.template('with-users');

  it('each becomes a user, invited by email, with no address in any logical id', () => {
    const users = resources(template, 'AWS::Cognito::UserPoolUser');
    expect(users.map(([, user]) => user.Properties.Username).sort()).toEqual(marketers);
    for (const [id, user] of users) {
      expect(user.Properties.DesiredDeliveryMediums).toEqual(['EMAIL']);
      expect(user.Properties.UserAttributes).toContainEqual({ Name: 'email_verified', Value: 'true' });
      expect(id).not.toMatch(/maria|sam|fixture/i);
    }
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'clinic-report-dev' });
  });

  it('none when the list is empty (the default)', () => {
    expect(resources(dev, 'AWS::Cognito::UserPoolUser')).toEqual([]);
  });
});

describe('the admin routes', () => {
  const routes = resources(dev, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
  const route = (key: string) => {
    const found = routes.find((r) => r.RouteKey === key);
    expect(found, key).toBeDefined();
    return found!;
  };

  it('GET /admin/report needs an access token of the report’s client: the JWT authorizer, with the openid scope', () => {
    const [authorizerId, authorizer] = only(dev, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [ref(clientId)],
        Issuer: { 'Fn::Join': ['', ['https://cognito-idp.us-east-1.amazonaws.com/', ref(poolId)]] },
      },
    });
    expect(route('GET /admin/report')).toMatchObject({
      AuthorizationType: 'JWT',
      AuthorizerId: ref(authorizerId),
      AuthorizationScopes: ['openid'],
    });
  });

  it('GET /admin/api/report needs IAM (SigV4), for scripts', () => {
    expect(route('GET /admin/api/report').AuthorizationType).toBe('AWS_IAM');
  });

  it('GET /admin, the sign-in page, is open (a browser arriving there has no token yet), with the reason recorded', () => {
    expect(route('GET /admin').AuthorizationType).toBe('NONE');
    const acknowledged = devStack.node
      .findAll()
      .filter((c) => c.node.path.includes('GET--admin') && !c.node.path.includes('report'))
      .flatMap((c) => c.node.metadata)
      .filter((entry) => JSON.stringify(entry.data).includes('AwsSolutions-APIG4'));
    expect(JSON.stringify(acknowledged)).toContain('It holds no data');
  });

  it('the admin function gets the pool, the client and the managed login URL; no other function does', () => {
    for (const [id, fn] of resources(dev, 'AWS::Lambda::Function')) {
      const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
      if (id === logicalId(devStack, devStack.functions.admin!)) {
        expect(variables).toMatchObject({
          ADMIN_USER_POOL_ID: ref(poolId),
          ADMIN_CLIENT_ID: ref(clientId),
          ADMIN_SIGN_IN_URL: expect.objectContaining({ 'Fn::Join': expect.anything() }),
        });
      } else {
        expect(
          Object.keys(variables).filter((name) => name.startsWith('ADMIN_')),
          id,
        ).toEqual([]);
      }
    }
  });
});

describe('the template', () => {
  it('has no dependency cycle (the client returns to the API, whose route checks the client): CloudFormation would refuse one', () => {
    for (const template of [dev, prod]) {
      const all = template.toJSON().Resources as Record<string, { DependsOn?: string | string[] }>;
      const references = (value: unknown, found = new Set<string>()): Set<string> => {
        if (Array.isArray(value)) for (const item of value) references(item, found);
        else if (value && typeof value === 'object') {
          const object = value as Record<string, unknown>;
          if (typeof object.Ref === 'string') found.add(object.Ref);
          const att = object['Fn::GetAtt'];
          if (Array.isArray(att)) found.add(String(att[0]));
          for (const inner of Object.values(object)) references(inner, found);
        }
        return found;
      };
      const edges = new Map(
        Object.entries(all).map(([id, resource]) => [
          id,
          [...references(resource), ...[resource.DependsOn ?? []].flat()].filter((target) => target in all),
        ]),
      );
      const state = new Map<string, 'visiting' | 'done'>();
      const visit = (id: string, path: string[]): void => {
        if (state.get(id) === 'done') return;
        if (state.get(id) === 'visiting') throw new Error(`cycle: ${[...path, id].join(' -> ')}`);
        state.set(id, 'visiting');
        for (const target of edges.get(id)!) visit(target, [...path, id]);
        state.set(id, 'done');
      };
      expect(() => {
        for (const id of edges.keys()) visit(id, []);
      }).not.toThrow();
    }
  });
});

describe('outputs', () => {
  it('say where the report is and which pool npm run admin-user adds users to', () => {
    const outputs = prod.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ReportUrl!.Value).toBe(`https://${prodFixture.customDomain.domainName}/admin`);
    expect(outputs.ReportUserPoolId!.Value).toEqual(ref(logicalId(prodStack, prodStack.reportSignIn.userPool)));
    expect(outputs.ReportSignInUrl).toBeDefined();
  });
});

describe('cdk-nag', () => {
  it('finds nothing in any stage, the Cognito rules (COG1, COG2, COG8) included, with no acknowledgement on the pool', () => {
    const findings = app.validationReport.pluginReports.flatMap((report) =>
      report.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)),
    );
    expect(findings).toEqual([]);
    const onSignIn = devStack.reportSignIn.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((entry) => JSON.stringify(entry.data).match(/AwsSolutions|HIPAA/));
    expect(onSignIn).toEqual([]);
  });
});

describe('stage settings', () => {
  const withSignIn = (reportSignIn: unknown) => ({
    stages: { dev: { ...(testContext.nurture as any).stages.dev, reportSignIn } },
  });

  it('refuse a domain prefix Cognito would refuse, naming the field', () => {
    expect(() => readStages(withSignIn({ domainPrefix: 'Clinic_Report' }))).toThrow(
      /stages\.dev\.reportSignIn\.domainPrefix: must be lower-case/,
    );
    expect(() => readStages(withSignIn({ domainPrefix: 'clinic-cognito' }))).toThrow(/must not contain "aws"/);
    expect(() => readStages(withSignIn({ users: ['not-an-address'] }))).toThrow(/stages\.dev\.reportSignIn\.users\.0/);
  });

  it('hold a production stage back while a listed user is a placeholder address', () => {
    const context = structuredClone(testContext.nurture) as any;
    context.stages.prod.reportSignIn = { users: ['marketing@clinic.example'] };
    const { placeholders } = readStages(context);
    expect(placeholders.prod).toEqual([
      expect.stringMatching(/^stages\.prod\.reportSignIn\.users\.0: looks like a placeholder/),
    ]);
  });
});
