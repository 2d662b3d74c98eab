/** The fidelity pass: the same integration tests with AWS's DynamoDB Local behind the DynamoDB endpoint. */
import { emulatorsFor } from './global-setup.ts';

export default emulatorsFor('dynamodb-local');
