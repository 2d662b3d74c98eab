/**
 * Where dynalite and AWS's DynamoDB Local differ, asserted on whichever backend this project runs, so docs/testing.md's
 * "DynamoDB Local fidelity" table cannot silently go stale. Each expectation says what AWS itself does.
 */
import { randomUUID } from 'node:crypto';
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ExecuteStatementCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactGetItemsCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { DUE_INDEX } from '../../lambdas/contract.ts';
import { testEnv } from './harness.ts';

const backend = inject('dynamoBackend');
const env = await testEnv();
const dynamo = dynamoClient(env.config);
const table = env.config.TABLE_NAME;
const key = () => ({ pk: { S: `FIDELITY#${randomUUID()}` }, sk: { S: 'X' } });
const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error) => error,
  );

describe(`DynamoDB behaviour on ${backend}`, () => {
  it('transactions: DynamoDB Local (like AWS) runs TransactWriteItems and TransactGetItems, and cancels on a failed condition with reasons; dynalite refuses both', async () => {
    const [a, b] = [key(), key()];
    const error = await errorOf(
      dynamo.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: table, Item: a } }, { Put: { TableName: table, Item: b } }],
        }),
      ),
    );
    const read = errorOf(
      dynamo.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: table, Key: a } }] })),
    );
    if (backend === 'dynamodb-local') {
      expect(error).toBeUndefined();
      expect(await read).toBeUndefined();
      expect(
        (await dynamo.send(new GetItemCommand({ TableName: table, Key: b, ConsistentRead: true }))).Item,
      ).toBeDefined();
      // A failed condition cancels the whole transaction, with a reason per item.
      const cancelled = await errorOf(
        dynamo.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Put: { TableName: table, Item: key() } },
              { Put: { TableName: table, Item: a, ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        ),
      );
      expect(cancelled).toBeInstanceOf(TransactionCanceledException);
      expect((cancelled as TransactionCanceledException).CancellationReasons?.map((reason) => reason.Code)).toEqual([
        'None',
        'ConditionalCheckFailed',
      ]);
    } else {
      expect(error?.name).toBe('UnknownOperationException');
      expect((await read)?.name).toBe('UnknownOperationException');
    }
  });

  it('a failed condition hands back the current item only where ReturnValuesOnConditionCheckFailure is implemented (DynamoDB Local, AWS)', async () => {
    const item = { ...key(), status: { S: 'active' } };
    await dynamo.send(new PutItemCommand({ TableName: table, Item: item }));
    const error = await errorOf(
      dynamo.send(
        new PutItemCommand({
          TableName: table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
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
    // Deleting it: DynamoDB Local answers ACTIVE (the table is gone at once), dynalite DELETING (as AWS does).
    while ((await dynamo.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus !== 'ACTIVE')
      await new Promise((resolve) => setTimeout(resolve, 25));
    const deleted = await dynamo.send(new DeleteTableCommand({ TableName: name }));
    expect(deleted.TableDescription?.TableStatus).toBe(backend === 'dynamodb-local' ? 'ACTIVE' : 'DELETING');
  });

  it('time to live: DynamoDB Local accepts UpdateTimeToLive; dynalite refuses the operation', async () => {
    const error = await errorOf(
      dynamo.send(
        new UpdateTimeToLiveCommand({
          TableName: table,
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        }),
      ),
    );
    const described = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: table }));
    if (backend === 'dynamodb-local') {
      expect(error).toBeUndefined();
      expect(described.TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
    } else {
      expect(error?.name).toBe('UnknownOperationException');
      expect(described.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
    }
  });

  it('PartiQL: DynamoDB Local (like AWS) runs ExecuteStatement; dynalite refuses the operation', async () => {
    const item = key();
    await dynamo.send(new PutItemCommand({ TableName: table, Item: item }));
    const statement = dynamo.send(
      new ExecuteStatementCommand({ Statement: `SELECT * FROM "${table}" WHERE pk = ?`, Parameters: [item.pk] }),
    );
    if (backend === 'dynamodb-local') expect((await statement).Items).toEqual([item]);
    else expect((await errorOf(statement))?.name).toBe('UnknownOperationException');
  });

  it('errors our code branches on carry the same names on both; only their messages differ', async () => {
    const missingTable = await errorOf(
      dynamo.send(new GetItemCommand({ TableName: `missing-${randomUUID()}`, Key: key() })),
    );
    expect(missingTable?.name).toBe('ResourceNotFoundException');
    expect(missingTable?.message).toBe(
      backend === 'dynamodb-local' ? 'Cannot do operations on a non-existent table' : 'Requested resource not found',
    );
    const reservedWord = await errorOf(
      dynamo.send(
        new PutItemCommand({
          TableName: table,
          Item: key(),
          ConditionExpression: 'status = :s',
          ExpressionAttributeValues: { ':s': { S: 'x' } },
        }),
      ),
    );
    expect(reservedWord?.name).toBe('ValidationException');
    const wrongIndexKeyType = await errorOf(
      dynamo.send(
        new PutItemCommand({ TableName: table, Item: { ...key(), dueShard: { S: '1' }, dueAt: { N: '1' } } }),
      ),
    );
    expect(wrongIndexKeyType?.name).toBe('ValidationException');
  });

  it('the due index answers a query with an item written the moment before (AWS: eventually consistent)', async () => {
    const dueShard = { N: String(1000 + Math.floor(Math.random() * 1e6)) };
    const item = { ...key(), dueShard, dueAt: { N: '1' } };
    await dynamo.send(new PutItemCommand({ TableName: table, Item: item }));
    const due = await dynamo.send(
      new QueryCommand({
        TableName: table,
        IndexName: DUE_INDEX,
        KeyConditionExpression: 'dueShard = :shard',
        ExpressionAttributeValues: { ':shard': dueShard },
      }),
    );
    expect(due.Items).toEqual([{ pk: item.pk, sk: item.sk, dueShard, dueAt: item.dueAt }]);
  });

  it('data is shared across access keys and regions (DynamoDB Local because we pass -sharedDb)', async () => {
    const item = key();
    await dynamo.send(new PutItemCommand({ TableName: table, Item: item }));
    const other = new DynamoDBClient({
      endpoint: env.config.DYNAMODB_ENDPOINT!,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'another', secretAccessKey: 'another' },
    });
    expect((await other.send(new GetItemCommand({ TableName: table, Key: item, ConsistentRead: true }))).Item).toEqual(
      item,
    );
  });
});

describe(`DynamoDB behaviour alike on dynalite and DynamoDB Local (run on ${backend})`, () => {
  it('refuses with ValidationException: unused expression names and values, overlapping update paths, a key attribute update, an empty-string key, duplicate keys in a batch, an item over 400 KB', async () => {
    const item = key();
    await dynamo.send(new PutItemCommand({ TableName: table, Item: item }));
    const refusals = await Promise.all([
      errorOf(
        dynamo.send(
          new UpdateItemCommand({
            TableName: table,
            Key: item,
            UpdateExpression: 'SET a = :a',
            ExpressionAttributeNames: { '#unused': 'b' },
            ExpressionAttributeValues: { ':a': { S: 'x' } },
          }),
        ),
      ),
      errorOf(
        dynamo.send(
          new UpdateItemCommand({
            TableName: table,
            Key: item,
            UpdateExpression: 'SET a = :a',
            ExpressionAttributeValues: { ':a': { S: 'x' }, ':unused': { S: 'y' } },
          }),
        ),
      ),
      errorOf(
        dynamo.send(
          new UpdateItemCommand({
            TableName: table,
            Key: item,
            UpdateExpression: 'SET a = :a, a.b = :a',
            ExpressionAttributeValues: { ':a': { S: 'x' } },
          }),
        ),
      ),
      errorOf(
        dynamo.send(
          new UpdateItemCommand({
            TableName: table,
            Key: item,
            UpdateExpression: 'SET sk = :a',
            ExpressionAttributeValues: { ':a': { S: 'x' } },
          }),
        ),
      ),
      errorOf(dynamo.send(new PutItemCommand({ TableName: table, Item: { pk: { S: '' }, sk: { S: 'X' } } }))),
      errorOf(
        dynamo.send(
          new BatchWriteItemCommand({
            RequestItems: { [table]: [{ PutRequest: { Item: item } }, { PutRequest: { Item: item } }] },
          }),
        ),
      ),
      errorOf(
        dynamo.send(new PutItemCommand({ TableName: table, Item: { ...key(), big: { S: 'x'.repeat(410 * 1024) } } })),
      ),
    ]);
    expect(refusals.map((error) => error?.name)).toEqual(Array(7).fill('ValidationException'));
  });

  it('list_append with if_not_exists builds a list from nothing, and Limit counts items before the filter', async () => {
    const item = key();
    const append = (value: string) =>
      dynamo.send(
        new UpdateItemCommand({
          TableName: table,
          Key: item,
          UpdateExpression: 'SET steps = list_append(if_not_exists(steps, :empty), :step)',
          ExpressionAttributeValues: { ':empty': { L: [] }, ':step': { L: [{ S: value }] } },
          ReturnValues: 'ALL_NEW',
        }),
      );
    await append('welcome');
    expect((await append('how-it-works')).Attributes?.steps).toEqual({ L: [{ S: 'welcome' }, { S: 'how-it-works' }] });

    const pk = { S: `FIDELITY#${randomUUID()}` };
    for (const [sk, kind] of [
      ['1', 'other'],
      ['2', 'other'],
      ['3', 'wanted'],
    ] as const)
      await dynamo.send(new PutItemCommand({ TableName: table, Item: { pk, sk: { S: sk }, kind: { S: kind } } }));
    const query = (limit: number) =>
      dynamo.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: 'kind = :kind',
          ExpressionAttributeValues: { ':pk': pk, ':kind': { S: 'wanted' } },
          Limit: limit,
        }),
      );
    expect((await query(2)).Items).toEqual([]);
    expect((await query(3)).Items).toHaveLength(1);
  });

  it('parallel scan segments together return every item once', async () => {
    const segments = await Promise.all(
      [0, 1, 2, 3].map((segment) =>
        dynamo.send(new ScanCommand({ TableName: table, Segment: segment, TotalSegments: 4, ConsistentRead: true })),
      ),
    );
    const whole = await dynamo.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    const ids = (items: typeof whole.Items) => (items ?? []).map((item) => `${item.pk?.S}|${item.sk?.S}`).sort();
    expect(ids(segments.flatMap((segment) => segment.Items ?? []))).toEqual(ids(whole.Items));
    expect(whole.Items!.length).toBeGreaterThan(5);
  });
});
