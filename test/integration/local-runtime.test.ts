import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { leadKey } from '#adapters/dynamo-lead-store';
import { startLocal } from '../../local/runtime.ts';

const runtime = await startLocal({ port: 0, sesPort: 0, dynamoPort: 0, speed: 1 });
afterAll(() => runtime.stop());

describe('npm start', () => {
  it('serves the sign-up page, sends the welcome during sign-up, and records Send and Delivery for it', async () => {
    const page = await fetch(`${runtime.apiUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<form method="post" action="\/signup">/);

    const response = await fetch(`${runtime.apiUrl}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ email: 'local-runtime@example.com', firstName: 'Rae', consent: 'on', website: '' }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Thank you');

    const { emails } = (await (await fetch(`${runtime.inboxUrl.replace('localhost', '127.0.0.1')}/store`)).json()) as { emails: { destination: { to: string[] } }[] };
    expect(emails.filter((e) => e.destination.to.some((to) => to.includes('local-runtime@example.com')))).toHaveLength(1);
  });

  it('feeds each accepted send back as the Send and Delivery events SES would publish', async () => {
    const response = await fetch(`${runtime.apiUrl}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'local-feed@example.com', firstName: 'Rae', consent: true }),
    });
    const { leadId } = (await response.json()) as { leadId: string };
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
    const lead = (await doc.send(new GetCommand({ TableName: 'nurture-local', Key: leadKey(leadId) }))).Item;
    expect(lead).toMatchObject({ deliveries: 1, firstDeliveredAt: expect.any(String) });
  });

  it('a link clicked in the local inbox records a Click and then redirects; the open pixel records an Open', async () => {
    const email = 'local-click@example.com';
    const response = await fetch(`${runtime.apiUrl}/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, firstName: 'Rae', consent: true }) });
    const { leadId } = (await response.json()) as { leadId: string };
    const { emails } = (await (await fetch(`${runtime.inboxUrl.replace('localhost', '127.0.0.1')}/store`)).json()) as { emails: { destination: { to: string[] }; body: { html: string } }[] };
    const html = emails.find((e) => e.destination.to.some((to) => to.includes(email)))!.body.html;

    const tracked = [...html.matchAll(/href="([^"]+\/t\/click\?[^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
    expect(tracked.length).toBeGreaterThan(0);
    const click = await fetch(tracked[0]!, { redirect: 'manual' });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe('https://clinic.example/consultation');

    const pixel = html.match(/src="([^"]+\/t\/open\?[^"]+)"/)![1]!.replaceAll('&amp;', '&');
    expect((await fetch(pixel)).headers.get('content-type')).toBe('image/gif');

    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
    expect((await doc.send(new GetCommand({ TableName: 'nurture-local', Key: leadKey(leadId) }))).Item).toMatchObject({ clicks: 1, opens: 1 });

    // The unsubscribe link is left alone, and a tampered tracking link redirects nowhere.
    expect(html).toMatch(/href="http:\/\/localhost:\d+\/unsubscribe\?token=/);
    const tampered = tracked[0]!.replace(/u=[^&]+/, `u=${encodeURIComponent('https://evil.example')}`);
    expect((await fetch(tampered, { redirect: 'manual' })).status).toBe(400);
  });

  it('the README\'s booking command, run as it is, switches ana@example.com to the follow-up and confirms at once', async () => {
    const signup = await fetch(`${runtime.apiUrl}/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ana@example.com', firstName: 'Ana', consent: true }) });
    const { leadId } = (await signup.json()) as { leadId: string };
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const command = readme.match(/<!-- booking-curl[^>]*-->\s*```sh\n([\s\S]*?)```/)![1]!;
    const { BOOKING_SECRET: _unset, ...env } = process.env;
    // Asynchronously: the runtime answering the command lives in this process.
    const { stdout } = await promisify(execFile)('bash', ['-c', command], { env: { ...env, PORT: new URL(runtime.apiUrl).port }, timeout: 20_000 });
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({ leadId, changed: true, sequence: 'follow-up' });

    const { emails } = (await (await fetch(`${runtime.inboxUrl.replace('localhost', '127.0.0.1')}/store`)).json()) as { emails: { subject: string; destination: { to: string[] } }[] };
    expect(emails.filter((e) => e.destination.to.some((to) => to.includes('ana@example.com'))).map((e) => e.subject)).toEqual([
      'Welcome, Ana: here is what happens next',
      "You're booked, Ana: what to expect and what to bring",
    ]);
  });
});
