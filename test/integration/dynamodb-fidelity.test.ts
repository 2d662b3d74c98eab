/**
 * Where dynalite and AWS's DynamoDB Local differ, asserted on whichever backend this project runs, so the README's
 * "DynamoDB Local fidelity" table cannot silently go stale. Each expectation says what AWS itself does.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, CreateTableCommand, DescribeTableCommand, GetItemCommand, PutItemCommand, TransactWriteItemsCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { dynamoClient } from '#adapters/clients';
import { testEnv } from './harness.ts';

const backend = inject('dynamoBackend');
const env = await testEnv();
const dynamo = dynamoClient(env.config);
const table = env.config.TABLE_NAME;
const key = () => ({ pk: { S: `FIDELITY#${randomUUID()}` }, sk: { S: 'X' } });
const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: Error) => error);

describe(`DynamoDB behaviour on ${backend}`, () => {
  it('transactions: DynamoDB Local (like AWS) commits TransactWriteItems; dynalite refuses the operation', async () => {
    const [a, b] = [key(), key()];
    const error = await errorOf(dynamo.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: table, Item: a } }, { Put: { TableName: table, Item: b } }] })));
    if (backend === 'dynamodb-local') {
      expect(error).toBeUndefined();
      expect((await dynamo.send(new GetItemCommand({ TableName: table, Key: b, ConsistentRead: true }))).Item).toBeDefined();
    } else {
      expect(error?.name).toBe('UnknownOperationException');
    }
  });

  it('a failed condition hands back the current item only where ReturnValuesOnConditionCheckFailure is implemented (DynamoDB Local, AWS)', async () => {
    const item = { ...key(), status: { S: 'active' } };
    await dynamo.send(new PutItemCommand({ TableName: table, Item: item }));
    const error = await errorOf(
      dynamo.send(new PutItemCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
    );
    // The error class is the same on both, which is all our code branches on.
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    const returned = (error as ConditionalCheckFailedException).Item;
    if (backend === 'dynamodb-local') expect(returned).toEqual(item);
    else expect(returned).toBeUndefined();
  });

  it('a new table is ACTIVE at once on DynamoDB Local but CREATING at first on dynalite (AWS: CREATING for seconds)', async () => {
    const name = `fidelity-${randomUUID()}`;
    const created = await dynamo.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    expect(created.TableDescription?.TableStatus).toBe(backend === 'dynamodb-local' ? 'ACTIVE' : 'CREATING');
    const described = await dynamo.send(new DescribeTableCommand({ TableName: name }));
    expect(described.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('time to live: DynamoDB Local accepts UpdateTimeToLive; dynalite refuses the operation', async () => {
    const error = await errorOf(dynamo.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } })));
    if (backend === 'dynamodb-local') expect(error).toBeUndefined();
    else expect(error?.name).toBe('UnknownOperationException');
  });

  it('errors our code branches on carry the same names on both; only their messages differ', async () => {
    const missingTable = await errorOf(dynamo.send(new GetItemCommand({ TableName: `missing-${randomUUID()}`, Key: key() })));
    expect(missingTable?.name).toBe('ResourceNotFoundException');
    const reservedWord = await errorOf(dynamo.send(new PutItemCommand({ TableName: table, Item: key(), ConditionExpression: 'status = :s', ExpressionAttributeValues: { ':s': { S: 'x' } } })));
    expect(reservedWord?.name).toBe('ValidationException');
    const wrongIndexKeyType = await errorOf(dynamo.send(new PutItemCommand({ TableName: table, Item: { ...key(), dueShard: { S: '1' }, dueAt: { N: '1' } } })));
    expect(wrongIndexKeyType?.name).toBe('ValidationException');
  });
});
