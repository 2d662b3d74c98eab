import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
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
});
