/**
 * A person's data on request, for operators' scripts (IAM-authorised in AWS: SigV4-signed requests only):
 *   POST /admin/api/privacy/export   body { "email": "..." }: 200 and everything stored about the address (the lead,
 *                                    its consent, messages and their SES events), as `npm run privacy -- export`
 *                                    prints it; 404 when nothing is stored
 *   POST /admin/api/privacy/erase    body { "email": "..." }: 200 and what was deleted, counted by kind (never the
 *                                    items); a person who unsubscribed or was suppressed leaves only a keyed hash
 * Each call that gets that far leaves an audit item (lambdas/adapters/dynamo-privacy.ts): the caller's IAM ARN, the
 * action, the time, the lead id and counts; never the address. A bad body gets 400 (413, 415) with a message, and
 * nothing is read or audited. The handler checks the IAM caller again, so a route wired without its authorizer
 * answers 403 and touches nothing. Locally (`npm start`) there is no IAM: the runtime names its own caller.
 */
import * as z from 'zod';
import { lambdaEntry, privacyDeps, readPrivacyConfig } from '../compose/privacy.ts';
import { ROUTES } from '../contract.ts';
import type { Clock, Log } from '../domain/ports.ts';
import {
  erasePerson,
  exportPerson,
  type PersonStore,
  type PrivacyAction,
  type PrivacyDeps,
} from '../domain/privacy.ts';
import { emailField, fieldErrors } from '../domain/signup.ts';
import { decodeBody, iamCaller, json, type HttpEvent, type HttpResult } from './http.ts';

export interface PrivacyHandlerDeps {
  people: PersonStore;
  clock: Clock;
  log: Log;
}

export interface PrivacyHandlerOptions {
  /**
   * Who is calling, as the audit records it; undefined refuses the call (403). Default: the ARN API Gateway's IAM
   * authorizer verified. The local runtime passes its own stand-in.
   */
  caller?: (event: HttpEvent) => string | undefined;
}

const BODY_SHAPE = 'Send a JSON object: { "email": "..." }.';

/** The body both routes take: one address, and nothing else (a misspelt field is named, not ignored). */
const requestSchema = z.strictObject(
  { email: emailField },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `Unexpected field ${issue.keys.map((key) => `"${key}"`).join(', ')}: send only "email".`
        : BODY_SHAPE,
  },
);

const ACTIONS: Readonly<Record<string, PrivacyAction>> = {
  [ROUTES.adminPrivacyExport]: 'export',
  [ROUTES.adminPrivacyErase]: 'erase',
};

export function makePrivacyHandler(deps: PrivacyHandlerDeps, { caller = iamCaller }: PrivacyHandlerOptions = {}) {
  return async (event: HttpEvent): Promise<HttpResult> => {
    const who = caller(event);
    if (!who)
      return json(403, {
        error: 'forbidden',
        message: 'This route needs AWS IAM credentials (a SigV4-signed request).',
      });
    const path = event.rawPath.replace(/\/+$/, '');
    const action = ACTIONS[path];
    if (!action) return json(404, { error: 'not_found', message: `No privacy route at ${path}.` });
    if (event.requestContext.http.method !== 'POST')
      return {
        ...json(405, { error: 'method_not_allowed', message: `${path} takes POST with { "email": "..." }.` }),
        headers: { 'content-type': 'application/json; charset=utf-8', allow: 'POST' },
      };

    if (!event.body) return json(400, { error: 'invalid_request', message: BODY_SHAPE });
    const decoded = decodeBody(event);
    if (!decoded.ok) return json(decoded.status, { error: 'invalid_request', message: decoded.message });
    const parsed = requestSchema.safeParse(decoded.value);
    if (!parsed.success) {
      const fields = fieldErrors(parsed.error);
      return json(400, { error: 'invalid_request', message: Object.values(fields)[0], fields });
    }

    const privacy: PrivacyDeps = { people: deps.people, now: () => deps.clock.now(), who };
    if (action === 'export') {
      const exported = await exportPerson(privacy, parsed.data.email);
      // The caller's ARN goes to the audit item only: an SSO session name in it can be the operator's own address.
      deps.log.info('privacy export', { found: exported.found, leadId: exported.leadId });
      if (!exported.found)
        return noStore(
          json(404, {
            error: 'not_found',
            message: exported.erased
              ? `Nothing is stored for this address: it was erased (${exported.erased.reason}), and only a keyed hash of it is kept, so it is never emailed again.`
              : 'Nothing is stored for this address.',
            ...(exported.erased && { erased: exported.erased }),
          }),
        );
      return noStore(json(200, exported));
    }
    const erased = await erasePerson(privacy, parsed.data.email);
    deps.log.info('privacy erase', { ...erased });
    return noStore(json(200, erased));
  };
}

/** A person's data is never cached on the way back. */
function noStore(result: HttpResult): HttpResult {
  return { ...result, headers: { ...result.headers, 'cache-control': 'no-store' } };
}

/** Lambda entry point (API Gateway HTTP API, IAM-authorised routes). Reads the unsubscribe secret: it keys the hash. */
export const handler = lambdaEntry((config) => makePrivacyHandler(privacyDeps(config)), readPrivacyConfig);
