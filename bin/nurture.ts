/** The CDK app entry named in cdk.json: `npm run synth`, `npx cdk deploy Nurture-<stage>`. */
import { buildApp } from '../lib/app.ts';

buildApp().app.synth();
