/**
 * The HTTP API: CORS for the clinic's sign-up form, stage throttling, access logs without personal data, and the
 * routes of `lib/handlers.ts`, public (with the reason recorded), behind IAM, or behind the report's sign-in.
 */
import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  ApiMapping,
  CorsHttpMethod,
  DomainName,
  HttpApi,
  HttpMethod,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
  SecurityPolicy,
  type HttpStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import type { RouteSpec } from '../handlers.ts';

export interface ApiProps {
  /** Origins allowed to post the sign-up form from a browser. */
  allowedOrigins: string[];
  /** Stage throttling for the whole API: steady requests per second and burst. */
  throttle: { rateLimit: number; burstLimit: number };
  /** Encrypts the access logs. */
  key: IKey;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  /** The API's own domain, mapped to the `$default` stage: links built on it outlive a replaced API. */
  customDomain?: StageConfig['customDomain'];
}

export class Api extends Construct {
  readonly httpApi: HttpApi;
  /** The `$default` stage: throttling and access logs. */
  readonly stage: HttpStage;
  /** The custom domain, when the stage has one. */
  readonly domainName?: DomainName;
  private readonly iamAuthorizer = new HttpIamAuthorizer();

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: props.logRetention,
      encryptionKey: props.key,
      removalPolicy: props.removalPolicy,
    });
    this.httpApi = new HttpApi(this, 'Api', {
      description: `${Stack.of(this).stackName}: sign-up, unsubscribe, booking webhook and reports`,
      createDefaultStage: false,
      // Only the sign-up form is called from other sites' pages; the rest are links, servers and operators.
      corsPreflight: {
        allowOrigins: props.allowedOrigins,
        allowMethods: [CorsHttpMethod.POST],
        allowHeaders: ['content-type'],
        maxAge: Duration.hours(1),
      },
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // Ids, routes and outcomes only: no source IP, user agent or query string (an unsubscribe token).
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            route: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            caller: '$context.identity.userArn',
          }),
        ),
      },
    });
    if (props.customDomain) this.domainName = this.addCustomDomain(props.customDomain);
  }

  /**
   * An API Gateway custom domain for the API, with its certificate: the given one, or one the stack creates and
   * validates through DNS in the hosted zone, where it also adds the domain's alias record. Without a hosted zone,
   * the domain's DNS record (a CNAME to the output ApiDomainTarget) is for the operator to add.
   */
  private addCustomDomain(custom: NonNullable<StageConfig['customDomain']>): DomainName {
    const zone =
      custom.hostedZone &&
      HostedZone.fromHostedZoneAttributes(this, 'HostedZone', {
        hostedZoneId: custom.hostedZone.id,
        zoneName: custom.hostedZone.name,
      });
    const certificate = custom.certificateArn
      ? Certificate.fromCertificateArn(this, 'Certificate', custom.certificateArn)
      : new Certificate(this, 'Certificate', {
          domainName: custom.domainName,
          validation: CertificateValidation.fromDns(zone),
        });
    const domainName = new DomainName(this, 'DomainName', {
      domainName: custom.domainName,
      certificate,
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    new ApiMapping(this, 'ApiMapping', { api: this.httpApi, domainName, stage: this.stage });
    if (zone) {
      new ARecord(this, 'DomainAlias', {
        zone,
        recordName: custom.domainName,
        target: RecordTarget.fromAlias(
          new ApiGatewayv2DomainProperties(domainName.regionalDomainName, domainName.regionalHostedZoneId),
        ),
      });
    }
    return domainName;
  }

  /** The execute-api URL of the `$default` stage. */
  get url(): string {
    return this.httpApi.apiEndpoint;
  }

  /**
   * Route each of `routes` to `fn`. An `iam` route needs SigV4-signed calls; a `signed-in` route needs an access
   * token that `signIn` (the report's sign-in JWT authorizer) accepts, with the `openid` scope, which ID tokens lack;
   * a public one gets no authorizer, and the reason it needs none becomes its cdk-nag acknowledgement.
   */
  addRoutes(fn: IFunction, routes: RouteSpec[], signIn?: IHttpRouteAuthorizer): void {
    for (const route of routes) {
      const integration = new HttpLambdaIntegration(`${fn.node.id}${route.method}${route.path.replace(/\W/g, '')}`, fn);
      const options = { path: route.path, methods: [HttpMethod[route.method]], integration };
      if (route.auth === 'iam') {
        this.httpApi.addRoutes({ ...options, authorizer: this.iamAuthorizer });
      } else if (route.auth === 'signed-in') {
        if (!signIn) throw new Error(`lib/handlers.ts: ${route.method} ${route.path} needs the report's sign-in`);
        this.httpApi.addRoutes({ ...options, authorizer: signIn, authorizationScopes: ['openid'] });
      } else {
        const [created] = this.httpApi.addRoutes(options);
        Validations.of(created!).acknowledge({ id: 'AwsSolutions-APIG4', reason: route.auth.public });
      }
    }
  }
}
