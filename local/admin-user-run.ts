/**
 * What `npm run admin-user` does once its command line is read: find the stage's user pool in its stack's outputs,
 * then add, list or remove users there. Returns the lines to print and the exit code (0 done, 1 refused or failed).
 */
import type { AdminUserAws, ReportUser } from './admin-user-aws.ts';

export type AdminUserAction =
  | { action: 'add'; email: string; resend: boolean }
  | { action: 'list' }
  | {
      action: 'remove';
      email: string;
    };

export interface AdminUserResult {
  code: 0 | 1;
  /** For stdout when code is 0, for stderr when it is 1. */
  lines: string[];
  /** For --json. */
  json: unknown;
}

const STATUS: Record<string, string> = {
  FORCE_CHANGE_PASSWORD: 'invited, not signed in yet',
  CONFIRMED: 'signed in before',
  RESET_REQUIRED: 'must reset the password',
};

const failure = (stage: string, problem: string): AdminUserResult => ({
  code: 1,
  lines: [`admin-user: stage ${stage}: ${problem}`],
  json: { ok: false, stage, problem },
});

export async function runAdminUser(
  stage: string,
  request: AdminUserAction,
  aws: AdminUserAws,
): Promise<AdminUserResult> {
  const signIn = await aws.stageSignIn(`nurture-${stage}`);
  if (!signIn.ok) return failure(stage, signIn.problem);
  const { userPoolId, reportUrl } = signIn.value;

  switch (request.action) {
    case 'add': {
      const added = await aws.invite(userPoolId, request.email, request.resend);
      if (!added.ok) return failure(stage, added.problem);
      return {
        code: 0,
        lines: [
          `${request.resend ? 'Invited again' : 'Invited'}: ${request.email} (stage ${stage}, user pool ${userPoolId}).`,
          'Cognito has emailed them a temporary password, which works for 7 days.',
          `They sign in at ${reportUrl ?? 'the stack output ReportUrl'}, choose a password, and set up an authenticator app.`,
        ],
        json: { ok: true, stage, userPoolId, reportUrl, user: jsonUser(added.value) },
      };
    }
    case 'list': {
      const users = await aws.list(userPoolId);
      if (!users.ok) return failure(stage, users.problem);
      return {
        code: 0,
        lines: userTable(stage, userPoolId, users.value),
        json: { ok: true, stage, userPoolId, users: users.value.map(jsonUser) },
      };
    }
    case 'remove': {
      const removed = await aws.remove(userPoolId, request.email);
      if (!removed.ok) return failure(stage, removed.problem);
      return {
        code: 0,
        lines: [`Removed: ${request.email} (stage ${stage}): they can no longer sign in to the report.`],
        json: { ok: true, stage, userPoolId, removed: request.email },
      };
    }
  }
}

const jsonUser = (user: ReportUser) => ({ ...user, created: user.created?.toISOString() });

function userTable(stage: string, userPoolId: string, users: ReportUser[]): string[] {
  if (users.length === 0)
    return [
      `No users in stage ${stage} (user pool ${userPoolId}). Add one: npm run admin-user -- add <email> --stage ${stage}`,
    ];
  const rows = users.map((user) => [
    user.email,
    `${STATUS[user.status] ?? user.status}${user.enabled ? '' : ', disabled'}`,
    user.created?.toISOString().slice(0, 10) ?? '',
  ]);
  const header = ['Email', 'Status', 'Added'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    `Users of the report in stage ${stage} (user pool ${userPoolId}):`,
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
  ];
}
