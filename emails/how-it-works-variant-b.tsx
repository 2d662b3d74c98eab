/**
 * The how-it-works email as variant `b` of its subject-line experiment sends it (`HowItWorks.experiment`), for the
 * preview server: the same email with the variant's subject. Nothing sends this file; the dispatcher reads the variant
 * from `emails/how-it-works.tsx`.
 */
import HowItWorks from './how-it-works.tsx';
import { experimentEmail } from './_shared/experiment.ts';

export default experimentEmail(HowItWorks, 'b');
