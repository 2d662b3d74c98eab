/** Per-stage settings in cdk.json: validated when the app is built, and a bad value is named in the error. */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import { parseStages, type StageConfig } from '../../lib/config.ts';
import { cdkContext } from './synth.ts';

const good = structuredClone((cdkContext.nurture as { stages: Record<string, StageConfig> }).stages);

/** cdk.json's stages with one change to the prod stage. */
function withProd(change: (prod: Record<string, any>) => void) {
  const stages = structuredClone(good) as Record<string, Record<string, any>>;
  change(stages.prod!);
  return { stages };
}

const problem = (value: unknown) => {
  try {
    parseStages(value);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

describe('stage configuration', () => {
  it('cdk.json names a dev and a prod stage, and both are valid', () => {
    const stages = parseStages(cdkContext.nurture);
    expect(Object.keys(stages)).toEqual(['dev', 'prod']);
    expect(stages.prod!.production).toBe(true);
    expect(stages.dev!.production).toBe(false);
  });

  it.each([
    ['a sender outside the SES identity\'s domain', (p: any) => (p.email.fromAddress = 'care@elsewhere.example'), 'stages.prod.email.fromAddress: must be an address at clinic.example'],
    ['an origin with a path', (p: any) => (p.allowedOrigins = ['https://clinic.example/form']), 'stages.prod.allowedOrigins.0: must be an https origin'],
    ['an http booking URL', (p: any) => (p.clinic.bookingUrl = 'http://clinic.example/book'), 'stages.prod.clinic.bookingUrl: must be an https URL'],
    ['a time zone that does not exist', (p: any) => (p.clinic.defaultTimeZone = 'America/Atlantis'), 'stages.prod.clinic.defaultTimeZone: must be an IANA time zone'],
    ['a send window that ends before it starts', (p: any) => (p.sendWindow = { start: '18:00', end: '09:00' }), 'stages.prod.sendWindow.end: must be later than sendWindow.start'],
    ['a log retention CloudWatch does not offer', (p: any) => (p.logRetentionDays = 42), 'stages.prod.logRetentionDays: must be one of CloudWatch Logs\' retention periods'],
    ['a retention of zero days', (p: any) => (p.retentionDays = 0), 'stages.prod.retentionDays:'],
    ['a postal address line with the separator in it', (p: any) => (p.clinic.postalAddress = ['100 Main St | Suite 2']), 'stages.prod.clinic.postalAddress.0: must not contain "|"'],
    ['a misspelt setting', (p: any) => (p.retentionDay = 30), 'stages.prod: Unrecognized key: "retentionDay"'],
    ['a missing region', (p: any) => delete p.region, 'stages.prod.region:'],
  ])('%s is refused, naming the field', (_, change, message) => {
    expect(problem(withProd(change))).toContain(message);
  });

  it('a bad value stops the synth before any stack is built, naming the field', () => {
    const context = { ...cdkContext, nurture: withProd((p) => (p.email.replyTo = 'front desk')) };
    expect(() => buildApp({ context })).toThrow(/Invalid stage configuration in cdk\.json[\s\S]*stages\.prod\.email\.replyTo/);
  });
});
