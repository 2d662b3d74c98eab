/**
 * Who is running a CLI against AWS: the ARN STS's GetCallerIdentity answers for the credentials a client uses. The
 * audit of a person's data keeps it (`npm run privacy`).
 *
 * The project has no STS client among its packages (`@aws-sdk/client-sts`), so this signs the one request itself,
 * with the signer and the credentials every AWS SDK client already carries. STS has no local emulator: on this
 * machine the CLIs name the local user instead (`localPrincipal`).
 */
import { request } from 'node:https';
import { userInfo } from 'node:os';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';

/** `local:<os user>`: the principal on this machine, where there is no IAM. */
export const localPrincipal = () => `local:${userInfo().username}`;

/** The IAM principal's ARN behind `client`'s credentials, from STS in the client's region. */
export async function callerArn(client: DynamoDBClient): Promise<string> {
  const region = await client.config.region();
  const signer = new SignatureV4({
    service: 'sts',
    region,
    credentials: client.config.credentials,
    sha256: client.config.sha256,
  });
  const hostname = `sts.${region}.amazonaws.com`;
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'https:',
    hostname,
    path: '/',
    query: {},
    headers: { host: hostname, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const sent = request({ method: 'POST', hostname, path: '/', headers: signed.headers, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    sent.on('timeout', () => sent.destroy(new Error('STS did not answer in 10 s')));
    sent.on('error', reject);
    sent.end(body);
  });
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(answer.text)?.[1];
  if (answer.status !== 200 || !arn) {
    const code = /<Code>([^<]+)<\/Code>/.exec(answer.text)?.[1] ?? `HTTP ${answer.status}`;
    throw new Error(`STS GetCallerIdentity failed: ${code}`);
  }
  return arn;
}
