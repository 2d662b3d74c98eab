/**
 * A small fake of the Cognito user pool calls `npm run admin-user` makes, for tests: an HTTP server speaking the
 * service's own wire protocol (AWS JSON 1.1: POST / with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`),
 * so the real SDK client (pointed here with AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER) parses what AWS would send.
 * It is a fake, not an emulator: it holds users in memory and answers only these, from the API references' shapes:
 *
 *   AdminCreateUser   https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html
 *     In a pool whose username is the email, `Username` may be the address; the user's own username is a UUID.
 *     UsernameExistsException for an address already in the pool; MessageAction RESEND for one not in it is
 *     UserNotFoundException, and for one who has signed in (CONFIRMED) UnsupportedUserStateException.
 *   ListUsers         https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html
 *     Up to 60 a page, PaginationToken while there are more.
 *   AdminDeleteUser   https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminDeleteUser.html
 *     UserNotFoundException for an address not in the pool.
 * Any call on a pool it does not hold is ResourceNotFoundException. Errors are HTTP 400 with `{"__type", "message"}`.
 * `requests` lists every operation asked for, with the user pool it named.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUser {
  username: string;
  email: string;
  /** FORCE_CHANGE_PASSWORD until the first sign-in, then CONFIRMED. */
  status: string;
  created: Date;
  /** How many invitations were emailed (AdminCreateUser, then each RESEND). */
  invitations: number;
}

export interface FakeCognito {
  url: string;
  /** Users by pool id, then by email. */
  pools: Record<string, Map<string, FakeUser>>;
  /** "AdminCreateUser us-east-1_abc", … in the order asked. */
  requests: string[];
  /** ListUsers' page size: 60, as AWS's, unless a test wants to see the paging. */
  pageSize: number;
  close(): Promise<void>;
}

const PREFIX = 'AWSCognitoIdentityProviderService.';

export async function startFakeCognito(poolIds: string[]): Promise<FakeCognito> {
  const fake: FakeCognito = {
    url: '',
    pools: Object.fromEntries(poolIds.map((id) => [id, new Map<string, FakeUser>()])),
    requests: [],
    pageSize: 60,
    close: () => Promise.resolve(),
  };
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: Error) => fail(res, 500, 'InternalErrorException', error.message));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, any>;
    const operation = target.startsWith(PREFIX) ? target.slice(PREFIX.length) : target;
    fake.requests.push(`${operation} ${input.UserPoolId}`);
    const pool = fake.pools[input.UserPoolId as string];
    if (!pool) return fail(res, 400, 'ResourceNotFoundException', `User pool ${input.UserPoolId} does not exist.`);
    const email = String(input.Username ?? '').toLowerCase();

    switch (operation) {
      case 'AdminCreateUser': {
        const existing = pool.get(email);
        if (input.MessageAction === 'RESEND') {
          if (!existing) return fail(res, 400, 'UserNotFoundException', 'User does not exist.');
          if (existing.status !== 'FORCE_CHANGE_PASSWORD')
            return fail(res, 400, 'UnsupportedUserStateException', 'Resend not possible. User is already confirmed.');
          existing.invitations += 1;
          return ok(res, { User: wireUser(existing) });
        }
        if (existing)
          return fail(res, 400, 'UsernameExistsException', 'An account with the given email already exists.');
        const user: FakeUser = {
          username: randomUUID(),
          email,
          status: 'FORCE_CHANGE_PASSWORD',
          created: new Date(),
          invitations: 1,
        };
        pool.set(email, user);
        return ok(res, { User: wireUser(user) });
      }
      case 'ListUsers': {
        const all = [...pool.values()];
        const start = Number(input.PaginationToken ?? 0);
        const page = all.slice(start, start + fake.pageSize);
        const next = start + fake.pageSize < all.length ? String(start + fake.pageSize) : undefined;
        return ok(res, { Users: page.map(wireUser), ...(next && { PaginationToken: next }) });
      }
      case 'AdminDeleteUser': {
        if (!pool.delete(email)) return fail(res, 400, 'UserNotFoundException', 'User does not exist.');
        return ok(res, {});
      }
    }
    return fail(res, 400, 'UnknownOperationException', `Unknown operation ${target}`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}

/** A user as UserType: dates in epoch seconds, as the JSON protocol sends timestamps. */
function wireUser(user: FakeUser) {
  const seconds = user.created.getTime() / 1000;
  return {
    Username: user.username,
    Attributes: [
      { Name: 'sub', Value: user.username },
      { Name: 'email', Value: user.email },
      { Name: 'email_verified', Value: 'true' },
    ],
    UserCreateDate: seconds,
    UserLastModifiedDate: seconds,
    Enabled: true,
    UserStatus: user.status,
  };
}

function ok(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-errortype': type,
    'x-amzn-requestid': randomUUID(),
  });
  res.end(JSON.stringify({ __type: type, message }));
}
