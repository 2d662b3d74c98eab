/**
 * `npm run admin-user`'s calls to AWS: the stage's stack outputs (CloudFormation DescribeStacks: the report's user
 * pool and URL), and the user pool's users (Cognito AdminCreateUser, ListUsers, AdminDeleteUser). Each expected
 * refusal (no stack, a user that exists or does not) comes back as a sentence for the operator, not a stack trace.
 *
 * Region from the stage's settings; credentials and endpoint from the SDK's default chain, so AWS_ENDPOINT_URL (or
 * AWS_ENDPOINT_URL_CLOUDFORMATION and AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER) point the clients elsewhere: the
 * tests point them at local fakes.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';

export interface StageSignIn {
  userPoolId: string;
  /** Where the marketer signs in: the stack's ReportUrl output. */
  reportUrl?: string;
}

export interface ReportUser {
  email: string;
  /** Cognito's UserStatus: FORCE_CHANGE_PASSWORD until the first sign-in, then CONFIRMED. */
  status: string;
  enabled: boolean;
  created?: Date;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface AdminUserAws {
  /** The stack's report sign-in, from its outputs. */
  stageSignIn(stackName: string): Promise<Outcome<StageSignIn>>;
  /** Create the user, which makes Cognito email the invitation; `resend` sends it again to a user not signed in yet. */
  invite(userPoolId: string, email: string, resend: boolean): Promise<Outcome<ReportUser>>;
  list(userPoolId: string): Promise<Outcome<ReportUser[]>>;
  remove(userPoolId: string, email: string): Promise<Outcome<void>>;
  close(): void;
}

const attribute = (user: UserType, name: string) => user.Attributes?.find((a) => a.Name === name)?.Value;

const reportUser = (user: UserType | undefined, fallbackEmail = ''): ReportUser => ({
  email: (user && attribute(user, 'email')) ?? fallbackEmail,
  status: user?.UserStatus ?? 'UNKNOWN',
  enabled: user?.Enabled ?? true,
  created: user?.UserCreateDate,
});

async function attempt<T>(call: () => Promise<T>, expected: Record<string, string> = {}): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    const e = error as Error;
    return { ok: false, problem: expected[e.name] ?? `${e.name || 'Error'}: ${e.message}` };
  }
}

export function adminUserAws(region: string): AdminUserAws {
  const options = { region, maxAttempts: 2 };
  const cloudFormation = new CloudFormationClient(options);
  const cognito = new CognitoIdentityProviderClient(options);

  return {
    async stageSignIn(stackName) {
      const found = await attempt(() => cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })));
      if (!found.ok)
        return /does not exist/.test(found.problem)
          ? { ok: false, problem: `no stack ${stackName} in ${region}: deploy the stage first (npx cdk deploy)` }
          : found;
      const outputs: Record<string, string | undefined> = Object.fromEntries(
        (found.value.Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue]),
      );
      const userPoolId = outputs.ReportUserPoolId;
      if (!userPoolId)
        return {
          ok: false,
          problem: `stack ${stackName} has no ReportUserPoolId output: deploy this version of the stack first (it adds the report's sign-in)`,
        };
      return { ok: true, value: { userPoolId, reportUrl: outputs.ReportUrl } };
    },

    invite: (userPoolId, email, resend) =>
      attempt(
        async () => {
          const { User } = await cognito.send(
            new AdminCreateUserCommand({
              UserPoolId: userPoolId,
              Username: email,
              UserAttributes: [
                { Name: 'email', Value: email },
                { Name: 'email_verified', Value: 'true' },
              ],
              DesiredDeliveryMediums: ['EMAIL'],
              ...(resend && { MessageAction: 'RESEND' as const }),
            }),
          );
          return reportUser(User, email);
        },
        {
          UsernameExistsException: `${email} is already a user; add --resend to email the invitation again (only while they have not signed in)`,
          UserNotFoundException: `${email} is not a user yet: leave out --resend`,
          UnsupportedUserStateException: `${email} has already signed in: there is no invitation to send again`,
          ResourceNotFoundException: `user pool ${userPoolId} does not exist`,
        },
      ),

    list: (userPoolId) =>
      attempt(
        async () => {
          const users: ReportUser[] = [];
          let PaginationToken: string | undefined;
          // Up to 60 a page, with PaginationToken while there are more (the ListUsers API reference).
          do {
            const page = await cognito.send(new ListUsersCommand({ UserPoolId: userPoolId, PaginationToken }));
            users.push(...(page.Users ?? []).map((user) => reportUser(user)));
            PaginationToken = page.PaginationToken;
          } while (PaginationToken);
          return users.sort((a, b) => a.email.localeCompare(b.email));
        },
        { ResourceNotFoundException: `user pool ${userPoolId} does not exist` },
      ),

    remove: (userPoolId, email) =>
      attempt(
        async () => {
          await cognito.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: email }));
        },
        {
          UserNotFoundException: `${email} is not a user`,
          ResourceNotFoundException: `user pool ${userPoolId} does not exist`,
        },
      ),

    close() {
      cloudFormation.destroy();
      cognito.destroy();
    },
  };
}
