/**
 * The composition root, whole: every builder in `lambdas/compose/`, for the processes that run the whole service
 * (the local runtime, the bench, the tests). A Lambda's handler never imports this file: it imports its own module,
 * `lambdas/compose/<handler>.ts`, so its bundle holds only what that handler uses (the unsubscribe, SES-event and
 * admin bundles carry no renderer, mailer or SES client; test/infra/bundle-size.test.ts checks it). Adapters never
 * import compose.
 */
export { lambdaEntry } from './compose/entry.ts';
export { clinicFor, readConfig, sequencesFor, type Clinic, type Parts } from './compose/shared.ts';
export type { AdminConfig, Config, PrivacyConfig, ResolvedConfig, SesEventsConfig } from './compose/shared.ts';
export { sendingDeps } from './compose/sending.ts';
export { signupDeps } from './compose/signup.ts';
export { bookingDeps } from './compose/booking.ts';
export { unsubscribeDeps } from './compose/unsubscribe.ts';
export { confirmDeps } from './compose/confirm.ts';
export { loadSesEventsConfig, sesEventsDeps } from './compose/ses-events.ts';
export { dispatcherDeps, fanOutSettings } from './compose/dispatch.ts';
export { adminDeps, loadAdminConfig } from './compose/admin.ts';
export { loadPrivacyConfig, personStore, privacyDeps } from './compose/privacy.ts';
export { composeService, type Service } from './compose/service.ts';
